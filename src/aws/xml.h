// The little XML that AWS query and REST answers need: the text of one element. S3 errors
// and STS credentials both read their answers through it. Pure.
#ifndef S3US_AWS_XML_H_
#define S3US_AWS_XML_H_

#include <string>
#include <string_view>

namespace s3us::aws {

// The text of the first <tag>…</tag> in `xml`, entities decoded; empty when absent.
std::string XmlElement(std::string_view xml, std::string_view tag);

}  // namespace s3us::aws

#endif  // S3US_AWS_XML_H_
