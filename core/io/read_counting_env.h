// An Env that forwards everything to another and counts the bytes read
// through the files it opens: tests use it to show that an operation reads
// only what it must, and kq-sql --stats reports what a query read. Thread-safe
// as its base Env; the counter is atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/env.h"

namespace kq::io {

class ReadCountingEnv final : public Env {
 public:
  explicit ReadCountingEnv(Env* base) : base_(base) {}

  uint64_t bytes_read() const { return bytes_read_; }
  void Reset() { bytes_read_ = 0; }

  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override {
    KQ_ASSIGN_OR_RETURN(auto file, base_->OpenRandomAccess(path));
    return std::unique_ptr<RandomAccessFile>(new CountingFile(std::move(file), &bytes_read_));
  }
  Result<std::unique_ptr<AppendableFile>> OpenAppendable(const std::string& path) override {
    return base_->OpenAppendable(path);
  }
  Result<std::unique_ptr<AppendableFile>> CreateTruncated(const std::string& path) override {
    return base_->CreateTruncated(path);
  }
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  bool IsDirectory(const std::string& path) override { return base_->IsDirectory(path); }
  Result<uint64_t> FileSize(const std::string& path) override { return base_->FileSize(path); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  Status CreateDir(const std::string& dir) override { return base_->CreateDir(dir); }
  Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  Status RemoveDir(const std::string& dir) override { return base_->RemoveDir(dir); }
  Status Rename(const std::string& from, const std::string& to) override {
    return base_->Rename(from, to);
  }
  Status TruncateFile(const std::string& path, uint64_t size) override {
    return base_->TruncateFile(path, size);
  }
  Status SyncDir(const std::string& dir) override { return base_->SyncDir(dir); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, LockWait wait) override {
    return base_->LockFile(path, wait);
  }
  int64_t NowMs() override { return base_->NowMs(); }

 private:
  class CountingFile final : public RandomAccessFile {
   public:
    CountingFile(std::unique_ptr<RandomAccessFile> file, std::atomic<uint64_t>* counter)
        : file_(std::move(file)), counter_(counter) {}
    Status Read(uint64_t offset, size_t n, std::string* out) const override {
      Status s = file_->Read(offset, n, out);
      *counter_ += out->size();
      return s;
    }
    Result<FileInfo> Stat() const override { return file_->Stat(); }
    const std::string& path() const override { return file_->path(); }

   private:
    std::unique_ptr<RandomAccessFile> file_;
    std::atomic<uint64_t>* counter_;
  };

  Env* base_;
  std::atomic<uint64_t> bytes_read_{0};
};

}  // namespace kq::io
