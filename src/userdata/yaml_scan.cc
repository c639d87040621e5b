#include "userdata/yaml_scan.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <istream>
#include <streambuf>

namespace s3us::userdata {
namespace {

// The text as a stream, without a copy.
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view text) {
    char* p = const_cast<char*>(text.data());  // only ever read
    setg(p, p, p + text.size());
  }
};

class ShapeHandler : public YAML::EventHandler {
 public:
  YamlShape shape;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { Node(YamlShape::Top::kNull); }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { Node(YamlShape::Top::kOther); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Node(YamlShape::Top::kOther);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Node(YamlShape::Top::kOther);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Node(YamlShape::Top::kMap);
  }
  void OnMapEnd() override {}

 private:
  void Node(YamlShape::Top kind) {
    if (shape.nodes++ == 0) shape.top = kind;
  }
};

}  // namespace

YamlShape ScanYaml(std::string_view text) {
  ViewBuffer view(text);
  std::istream in(&view);
  YAML::Parser parser(in);
  ShapeHandler handler;
  // The first document, as YAML::Load reads; then whether another follows, in the same pass.
  if (!parser.HandleNextDocument(handler)) return handler.shape;
  ShapeHandler rest;
  try {
    handler.shape.more_documents = parser.HandleNextDocument(rest);
  } catch (const YAML::Exception&) {
    handler.shape.more_documents = true;
  }
  return handler.shape;
}

}  // namespace s3us::userdata
