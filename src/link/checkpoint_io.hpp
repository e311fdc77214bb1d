// Private to src/link: files of a checkpoint written atomically and read back with their digest.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace haven::link {

// Writes `dir/name` through `dir/name.tmp`: finish() syncs the file, renames it into place and
// syncs the directory, so after a crash the name holds either the old file or the whole new one.
class AtomicFile {
 public:
  AtomicFile(std::string dir, std::string name);
  ~AtomicFile();  // an unfinished file is removed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  Status open();
  void write(const void* data, std::size_t size);
  template <class T>
  void put(T value) {
    write(&value, sizeof value);
  }
  // The bytes written and their SHA-256 (hex), once the file is in place.
  struct Written {
    std::uint64_t bytes = 0;
    std::string sha256;
  };
  Result<Written> finish();

 private:
  void flush();

  std::string dir_, name_, temporary_;
  int fd_ = -1;
  int error_ = 0;  // the first write error (errno)
  std::vector<char> buffer_;
  std::uint64_t bytes_ = 0;
  crypto_hash_sha256_state hash_{};
};

// Reads a file written by AtomicFile, hashing as it goes; every read is bounds-checked, so a
// truncated file is an error, never a short value.
class DigestReader {
 public:
  explicit DigestReader(std::string path);
  ~DigestReader();
  DigestReader(const DigestReader&) = delete;
  DigestReader& operator=(const DigestReader&) = delete;

  // Opens the file and checks its size against the manifest's.
  Status open(std::uint64_t expected_bytes);
  bool read(void* data, std::size_t size);
  template <class T>
  bool get(T& value) {
    return read(&value, sizeof value);
  }
  // At the end: nothing left to read and the digest is the manifest's.
  Status finish(const std::string& expected_sha256);
  const std::string& path() const { return path_; }
  Error damaged(const std::string& what) const;

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<char> buffer_;
  std::size_t at_ = 0, filled_ = 0;
  crypto_hash_sha256_state hash_{};
};

std::string hex_digest(crypto_hash_sha256_state& state);
// fsync of a directory, so a rename in it survives a crash.
void sync_directory(const std::string& dir);

}  // namespace haven::link
