// Paths nobody else can change under us: private directories (ours alone, every directory
// above them safe as OpenSSH's StrictModes has it), private temporary directories, and files
// whose contents decide what runs as us (allowed_signers lists). Each is walked one component
// at a time through descriptors, so what was checked is what is used.
//
// Errors: kUnsafePath when a symlink, a non-directory, or a directory or file someone else
// owns or may write to stands where a private path (or one of its ancestors) was expected;
// kNotFound for a missing file or directory; kIo for other failures.
#ifndef S3US_CORE_PRIVATE_PATHS_H_
#define S3US_CORE_PRIVATE_PATHS_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/error.h"

namespace s3us {

// Opens a file whose contents decide what runs as us (an allowed_signers list) only if
// nobody else could have changed it: by the rule MakePrivateDir applies to the
// directories above a private one, every directory on the way must be owned by root or
// by us and writable by neither group nor others unless sticky; the file must be a
// regular one owned by root or by us that neither group nor others may write. A symbolic
// link on the way is followed when root or we own it (one in a sticky directory may
// belong to someone else), and the walk goes on from where it points, checked the same
// way. The walk is one component at a time through descriptors (O_NOFOLLOW), so what was
// checked is what is opened. Returns the descriptor (O_RDONLY|O_CLOEXEC; the caller
// closes it). kUnsafePath naming what is unsafe and why; kNotFound "no such file PATH";
// kIo for any other failure (permission, a loop of links), naming the path and the cause.
Result<int> OpenProtectedFile(const std::string& path);

// Creates `path` and any missing parents; the last component gets `mode` (0700 by
// default). Fails with kUnsafePath if any component is a symlink, if the last one exists
// but is not a directory owned by us with no group/other write bit (read and search bits
// beyond `mode` are removed, a write bit is refused: what others wrote there cannot be
// trusted), or if any directory above it, up to / (a relative path: the working
// directory's too), could be changed by another user: as OpenSSH's StrictModes, each must
// be owned by root or by us and writable by neither group nor others unless sticky
// (/tmp). Otherwise a later use by path could be sent elsewhere through a swapped-in
// symlink. One lstat per component.
Status MakePrivateDir(const std::string& path, mode_t mode = 0700);

// Opens an existing directory as MakePrivateDir would accept it (no symlink on the way,
// every ancestor safe, the directory ours with no group/other write bit) and returns its
// descriptor (O_RDONLY|O_DIRECTORY|O_CLOEXEC; the caller closes it), so that what was
// checked is what is used. kNotFound when it or a parent is missing; kUnsafePath, kIo.
Result<int> OpenPrivateDir(const std::string& path);

// Creates a new 0700 directory "<parent>/<prefix><random>" and returns its path. A given
// parent must exist and pass OpenPrivateDir's checks; an empty parent is $TMPDIR (default
// /tmp), which may be shared but must be root's or ours, writable by others only if sticky,
// with safe ancestors and no symlink on the way (kUnsafePath otherwise). The directory is
// made in the parent that was checked, not in whatever its path names a moment later. kIo
// when it cannot (a missing parent included).
Result<std::string> MakePrivateTempDir(const std::string& prefix, const std::string& parent = "");
// Whether `name` (no directory) is one MakePrivateTempDir makes with `prefix`.
bool IsPrivateTempDirName(std::string_view name, std::string_view prefix);

}  // namespace s3us

#endif  // S3US_CORE_PRIVATE_PATHS_H_
