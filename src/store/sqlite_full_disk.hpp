// Test-only: a full disk for SQLite, on demand. An SQLite VFS that passes every call to the
// platform's own VFS, except that while the disk is "full" every write is refused with SQLITE_FULL
// (what SQLite's unix VFS answers when write() fails with ENOSPC), so a test can fill the disk in
// the middle of a server's work without root, a loop device or a real full file system, and empty
// it again. Installed as the default VFS, it serves every connection opened afterwards; the store
// code under test is unchanged.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstddef>

namespace haven::sqlite_test {

class FullDisk {
 public:
  // Installs the VFS as SQLite's default (connections opened before keep their VFS).
  FullDisk() {
    real_ = sqlite3_vfs_find(nullptr);
    vfs_.iVersion = 2;
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
    vfs_.mxPathname = real_->mxPathname;
    vfs_.zName = "haven-full-disk";
    vfs_.pAppData = this;
    vfs_.xOpen = &open_file;
    vfs_.xDelete = [](sqlite3_vfs* v, const char* name, int sync) {
      return real(v)->xDelete(real(v), name, sync);
    };
    vfs_.xAccess = [](sqlite3_vfs* v, const char* name, int flags, int* out) {
      return real(v)->xAccess(real(v), name, flags, out);
    };
    vfs_.xFullPathname = [](sqlite3_vfs* v, const char* name, int n, char* out) {
      return real(v)->xFullPathname(real(v), name, n, out);
    };
    vfs_.xDlOpen = [](sqlite3_vfs* v, const char* name) { return real(v)->xDlOpen(real(v), name); };
    vfs_.xDlError = [](sqlite3_vfs* v, int n, char* out) { real(v)->xDlError(real(v), n, out); };
    vfs_.xDlSym = [](sqlite3_vfs* v, void* handle, const char* name) {
      return real(v)->xDlSym(real(v), handle, name);
    };
    vfs_.xDlClose = [](sqlite3_vfs* v, void* handle) { real(v)->xDlClose(real(v), handle); };
    vfs_.xRandomness = [](sqlite3_vfs* v, int n, char* out) {
      return real(v)->xRandomness(real(v), n, out);
    };
    vfs_.xSleep = [](sqlite3_vfs* v, int micros) { return real(v)->xSleep(real(v), micros); };
    vfs_.xCurrentTime = [](sqlite3_vfs* v, double* out) {
      return real(v)->xCurrentTime(real(v), out);
    };
    vfs_.xGetLastError = [](sqlite3_vfs* v, int n, char* out) {
      return real(v)->xGetLastError(real(v), n, out);
    };
    vfs_.xCurrentTimeInt64 = [](sqlite3_vfs* v, sqlite3_int64* out) {
      return real(v)->xCurrentTimeInt64(real(v), out);
    };
    sqlite3_vfs_register(&vfs_, 1);
  }
  // Puts the platform's VFS back as the default. Close every connection opened through this first.
  ~FullDisk() { sqlite3_vfs_unregister(&vfs_); }
  FullDisk(const FullDisk&) = delete;
  FullDisk& operator=(const FullDisk&) = delete;

  void fill() { full_ = true; }
  void empty() { full_ = false; }
  std::size_t refused_writes() const { return refused_; }

 private:
  sqlite3_vfs* real_ = nullptr;
  sqlite3_vfs vfs_{};
  std::atomic<bool> full_{false};
  std::atomic<std::size_t> refused_{0};

  struct File {
    sqlite3_file base;
    FullDisk* disk;
    sqlite3_file* real;  // the platform's file, in the same allocation, just after this struct
  };
  static sqlite3_vfs* real(sqlite3_vfs* v) { return static_cast<FullDisk*>(v->pAppData)->real_; }
  static sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

  static int open_file(sqlite3_vfs* v, const char* name, sqlite3_file* file, int flags,
                       int* out_flags) {
    auto* f = reinterpret_cast<File*>(file);
    f->disk = static_cast<FullDisk*>(v->pAppData);
    f->real = reinterpret_cast<sqlite3_file*>(f + 1);
    const int rc = real(v)->xOpen(real(v), name, f->real, flags, out_flags);
    f->base.pMethods = rc == SQLITE_OK && f->real->pMethods ? &kMethods : nullptr;
    return rc;
  }

  static inline const sqlite3_io_methods kMethods = {
      3,
      [](sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); },
      [](sqlite3_file* f, void* out, int n, sqlite3_int64 at) {
        return real(f)->pMethods->xRead(real(f), out, n, at);
      },
      [](sqlite3_file* f, const void* data, int n, sqlite3_int64 at) {
        FullDisk& disk = *reinterpret_cast<File*>(f)->disk;
        if (disk.full_) {
          ++disk.refused_;
          return SQLITE_FULL;
        }
        return real(f)->pMethods->xWrite(real(f), data, n, at);
      },
      [](sqlite3_file* f, sqlite3_int64 size) {
        return real(f)->pMethods->xTruncate(real(f), size);
      },
      [](sqlite3_file* f, int flags) { return real(f)->pMethods->xSync(real(f), flags); },
      [](sqlite3_file* f, sqlite3_int64* size) {
        return real(f)->pMethods->xFileSize(real(f), size);
      },
      [](sqlite3_file* f, int lock) { return real(f)->pMethods->xLock(real(f), lock); },
      [](sqlite3_file* f, int lock) { return real(f)->pMethods->xUnlock(real(f), lock); },
      [](sqlite3_file* f, int* out) { return real(f)->pMethods->xCheckReservedLock(real(f), out); },
      [](sqlite3_file* f, int op, void* arg) {
        return real(f)->pMethods->xFileControl(real(f), op, arg);
      },
      [](sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); },
      [](sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); },
      [](sqlite3_file* f, int page, int size, int extend, void volatile** out) {
        return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
      },
      [](sqlite3_file* f, int offset, int n, int flags) {
        return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
      },
      [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); },
      [](sqlite3_file* f, int remove) { return real(f)->pMethods->xShmUnmap(real(f), remove); },
      [](sqlite3_file* f, sqlite3_int64 at, int n, void** out) {
        return real(f)->pMethods->xFetch(real(f), at, n, out);
      },
      [](sqlite3_file* f, sqlite3_int64 at, void* p) {
        return real(f)->pMethods->xUnfetch(real(f), at, p);
      },
  };
};

}  // namespace haven::sqlite_test
