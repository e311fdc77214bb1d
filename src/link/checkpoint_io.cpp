// Checkpoint files: written to a temporary name, synced, renamed; read back with a digest check.
#include "link/checkpoint_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace haven::link {
namespace {

constexpr std::size_t kBufferBytes = 1 << 20;

}  // namespace

std::string hex_digest(crypto_hash_sha256_state& state) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

AtomicFile::AtomicFile(std::string dir, std::string name)
    : dir_(std::move(dir)), name_(std::move(name)), temporary_(dir_ + "/" + name_ + ".tmp") {}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temporary_.c_str());
  }
}

Status AtomicFile::open() {
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0)
    return Error{
        ErrorCode::kUnavailable, "cannot write " + temporary_ + ": " + std::strerror(errno), {}};
  buffer_.reserve(kBufferBytes);
  crypto_hash_sha256_init(&hash_);
  return Status::Ok();
}

void AtomicFile::flush() {
  const char* data = buffer_.data();
  std::size_t left = buffer_.size();
  while (left > 0 && error_ == 0) {
    const ssize_t n = ::write(fd_, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = n < 0 ? errno : EIO;
      break;
    }
    data += n, left -= static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void AtomicFile::write(const void* data, std::size_t size) {
  crypto_hash_sha256_update(&hash_, static_cast<const unsigned char*>(data), size);
  bytes_ += size;
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const std::size_t n = std::min(size, kBufferBytes - buffer_.size());
    buffer_.insert(buffer_.end(), bytes, bytes + n);
    bytes += n, size -= n;
    if (buffer_.size() == kBufferBytes) flush();
  }
}

Result<AtomicFile::Written> AtomicFile::finish() {
  flush();
  if (error_ == 0 && ::fsync(fd_) != 0) error_ = errno;
  if (::close(fd_) != 0 && error_ == 0) error_ = errno;
  fd_ = -1;
  const std::string target = dir_ + "/" + name_;
  if (error_ == 0 && ::rename(temporary_.c_str(), target.c_str()) != 0) error_ = errno;
  if (error_ != 0) {
    ::unlink(temporary_.c_str());
    return Error{
        ErrorCode::kUnavailable, "cannot write " + target + ": " + std::strerror(error_), {}};
  }
  sync_directory(dir_);
  return Written{bytes_, hex_digest(hash_)};
}

DigestReader::DigestReader(std::string path) : path_(std::move(path)) {}

DigestReader::~DigestReader() {
  if (fd_ >= 0) ::close(fd_);
}

Error DigestReader::damaged(const std::string& what) const {
  return invalid("the checkpoint file " + path_ + " is damaged (" + what +
                 "); give --restart to discard the checkpoint and start afresh");
}

Status DigestReader::open(std::uint64_t expected_bytes) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return damaged(std::string("cannot open it: ") + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd_, &info) != 0)
    return damaged(std::string("cannot read it: ") + std::strerror(errno));
  if (static_cast<std::uint64_t>(info.st_size) != expected_bytes)
    return damaged(std::to_string(info.st_size) + " bytes where the manifest says " +
                   std::to_string(expected_bytes));
  buffer_.resize(kBufferBytes);
  crypto_hash_sha256_init(&hash_);
  return Status::Ok();
}

bool DigestReader::read(void* data, std::size_t size) {
  char* out = static_cast<char*>(data);
  while (size > 0) {
    if (at_ == filled_) {
      ssize_t n;
      do n = ::read(fd_, buffer_.data(), buffer_.size());
      while (n < 0 && errno == EINTR);
      if (n <= 0) return false;
      crypto_hash_sha256_update(&hash_, reinterpret_cast<const unsigned char*>(buffer_.data()),
                                static_cast<std::size_t>(n));
      at_ = 0, filled_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, filled_ - at_);
    std::memcpy(out, buffer_.data() + at_, n);
    at_ += n, out += n, size -= n;
  }
  return true;
}

Status DigestReader::finish(const std::string& expected_sha256) {
  char extra;
  if (read(&extra, 1)) return damaged("bytes after its end");
  if (hex_digest(hash_) != expected_sha256) return damaged("its SHA-256 is not the manifest's");
  return Status::Ok();
}

}  // namespace haven::link
