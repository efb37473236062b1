#include "errors/log_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace trainctl::errors {
namespace {

// Reads every chunk and checks that together they are the input, with consistent line numbers.
std::string read_all(LogReader& reader, std::size_t* chunks = nullptr) {
  std::string all;
  std::uint64_t line = 1;
  std::size_t n = 0;
  while (true) {
    auto chunk = reader.next();
    EXPECT_TRUE(chunk.ok());
    if (!chunk.ok() || !*chunk) break;
    const LogChunk& c = **chunk;
    EXPECT_EQ(c.offset, all.size());
    EXPECT_EQ(c.first_line, line);
    EXPECT_EQ(c.newlines, count_newlines(c.bytes));
    if (!c.ends_mid_line) {
      EXPECT_EQ(c.bytes.back(), '\n');
    }
    all.append(c.bytes);
    line += c.newlines;
    ++n;
  }
  if (chunks) *chunks = n;
  return all;
}

std::string numbered_lines(int n) {
  std::string text;
  for (int i = 1; i <= n; ++i) text += "line " + std::to_string(i) + " of the log\n";
  return text;
}

TEST(LogReader, CountsNewlinesInAnyAlignment) {
  std::string s = "a\nb\n\n" + std::string(100, 'x') + "\n";
  for (std::size_t from = 0; from < 8; ++from) {
    EXPECT_EQ(count_newlines(std::string_view(s).substr(from)), static_cast<std::uint64_t>(from < 2 ? 4 : (from < 4 ? 3 : (from < 5 ? 2 : 1))));
  }
}

TEST(LogReader, CountsNewlinesInLargeBuffers) {
  std::string s;
  for (int i = 0; i < 100000; ++i) s += (i % 7 == 0 || i % 1000 == 999) ? '\n' : 'x';
  EXPECT_EQ(count_newlines(s), static_cast<std::uint64_t>(std::count(s.begin(), s.end(), '\n')));
  std::string all(70000, '\n');  // every lane full: the sums must flush before a byte overflows
  EXPECT_EQ(count_newlines(all), 70000u);
}

TEST(LogReader, FileInSmallWindowsEndsChunksAtLines) {
  testing::TempDir dir;
  std::string text = numbered_lines(5000);
  auto path = dir.write("train.log", text);
  auto reader = LogReader::open_file(path.string(), 4096);
  ASSERT_TRUE(reader.ok());
  std::size_t chunks = 0;
  EXPECT_EQ(read_all(*reader, &chunks), text);
  EXPECT_GT(chunks, 20u);
  EXPECT_EQ(reader->size(), text.size());
}

TEST(LogReader, LineLongerThanAWindowArrivesInPieces) {
  testing::TempDir dir;
  std::string text = "first\n" + std::string(20000, 'y') + "\nlast line without newline";
  auto path = dir.write("long.log", text);
  auto reader = LogReader::open_file(path.string(), 4096);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(read_all(*reader), text);
}

TEST(LogReader, MissingFileIsNotFound) {
  auto reader = LogReader::open_file("/nonexistent/train.log");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().kind, core::ErrorKind::kNotFound);
}

TEST(LogReader, DirectoryIsAFailure) {
  testing::TempDir dir;
  auto reader = LogReader::open_file(dir.path().string());
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().kind, core::ErrorKind::kFailure);
}

TEST(LogReader, ReadsAPipe) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string text = numbered_lines(3000);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    std::size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(fds[1], text.data() + done, std::min<std::size_t>(777, text.size() - done));
      if (n <= 0) ::_exit(1);
      done += static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  LogReader reader = LogReader::from_descriptor(fds[0], 8192);
  EXPECT_EQ(read_all(reader), text);
  ::close(fds[0]);
}

TEST(LogReader, TextInWindows) {
  std::string text = numbered_lines(1000);
  LogReader reader = LogReader::from_text(text, 1000);
  std::size_t chunks = 0;
  EXPECT_EQ(read_all(reader, &chunks), text);
  EXPECT_GT(chunks, 10u);
}

TEST(LogReader, EmptyLogHasNoChunk) {
  LogReader reader = LogReader::from_text("");
  auto chunk = reader.next();
  ASSERT_TRUE(chunk.ok());
  EXPECT_FALSE(chunk->has_value());
}

}  // namespace
}  // namespace trainctl::errors
