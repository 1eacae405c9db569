// The CPU feature tests an artifact's `cpu-features` line goes through,
// against the independent answer of the kernel (/proc/cpuinfo flags, which
// Linux also clears for state the OS does not enable).
extern "C" {
#include "kiln_internal.h" // kiln__cpu_feature_present
}

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace {

const char *const kNames[] = {
#define KILN_CPU_FEATURE(name, ...) name,
#include "kiln_cpu_features.def"
#undef KILN_CPU_FEATURE
};

// /proc/cpuinfo's spelling where it differs from LLVM's.
const std::map<std::string, std::string> kCpuinfoName = {
    {"sse3", "pni"},           {"sse4.1", "sse4_1"},
    {"sse4.2", "sse4_2"},
    {"lzcnt", "abm"},          {"bmi", "bmi1"},
    {"avxvnni", "avx_vnni"},   {"avx512vbmi2", "avx512_vbmi2"},
    {"avx512vnni", "avx512_vnni"}, {"avx512bitalg", "avx512_bitalg"},
    {"avx512vpopcntdq", "avx512_vpopcntdq"}, {"avx512bf16", "avx512_bf16"},
    {"amx-tile", "amx_tile"},  {"amx-bf16", "amx_bf16"},
    {"amx-int8", "amx_int8"}};

// The first processor's flags; empty where /proc/cpuinfo has none (not Linux on x86).
std::set<std::string> cpuinfoFlags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("flags", 0) == 0 && line.find(':') != std::string::npos) {
      std::istringstream words(line.substr(line.find(':') + 1));
      std::set<std::string> flags;
      for (std::string w; words >> w;) flags.insert(w);
      return flags;
    }
  return {};
}

int present(const std::string &name) { return kiln__cpu_feature_present(name.data(), name.size()); }

} // namespace

TEST(CPUFeatures, AgreeWithProcCpuinfo) {
  std::set<std::string> flags = cpuinfoFlags();
#if !defined(__x86_64__)
  GTEST_SKIP() << "the feature list is x86's";
#endif
  if (flags.empty()) GTEST_SKIP() << "no flags line in /proc/cpuinfo";
  for (const char *name : kNames) {
    // Some VMs (this Firecracker one) leave "abm" out of /proc/cpuinfo while
    // cpuid reports LZCNT: there, the compiler's own reading is the oracle.
    if (std::string(name) == "lzcnt" && !flags.count("abm")) {
      EXPECT_EQ(present(name), __builtin_cpu_supports("lzcnt") ? 1 : 0) << name;
      continue;
    }
    auto renamed = kCpuinfoName.find(name);
    std::string flag = renamed == kCpuinfoName.end() ? name : renamed->second;
    EXPECT_EQ(present(name), flags.count(flag) ? 1 : 0) << name << " (cpuinfo: " << flag << ")";
  }
}

TEST(CPUFeatures, NamesOutsideTheListAreUnknown) {
  EXPECT_EQ(present("avx9000"), -1);
  EXPECT_EQ(present("avx512"), -1); // a prefix of known names
  EXPECT_EQ(present(""), -1);
  EXPECT_EQ(kiln__cpu_check_features("", 0, "m.so"), KILN_OK);
  EXPECT_EQ(kiln__cpu_check_features(" ", 1, "m.so"), KILN_OK);
  EXPECT_EQ(kiln__cpu_check_features(" \t ", 3, "m.so"), KILN_OK);
  std::string list = "avx9000";
  EXPECT_EQ(kiln__cpu_check_features(list.data(), list.size(), "m.so"), KILN_ERROR_LOAD);
  EXPECT_STREQ(kiln_last_error(),
               "cannot load model 'm.so': expects CPU features from Kiln's list in its "
               "'cpu-features' line, found 'avx9000' (recompile the model with this Kiln)");
}

TEST(CPUFeatures, NamesEveryFeatureThisMachineLacks) {
  std::string has, lacks, lacking;
  for (const char *name : kNames) {
    if (present(name)) {
      has += std::string(has.empty() ? "" : " ") + name;
    } else {
      lacks += std::string(lacks.empty() ? "" : " ") + name;
      lacking += std::string(lacking.empty() ? "" : ", ") + name;
    }
  }
  EXPECT_EQ(kiln__cpu_check_features(has.data(), has.size(), "m.so"), KILN_OK) << has;
  std::string tabs = "\t" + has + "\t";
  for (char &c : tabs) c = c == ' ' ? '\t' : c;
  EXPECT_EQ(kiln__cpu_check_features(tabs.data(), tabs.size(), "m.so"), KILN_OK) << has;
  if (lacks.empty()) GTEST_SKIP() << "this machine has every feature in the list";
  std::string all = has + " " + lacks;
  EXPECT_EQ(kiln__cpu_check_features(all.data(), all.size(), "m.so"), KILN_ERROR_LOAD);
  EXPECT_EQ(std::string(kiln_last_error()),
            "cannot load model 'm.so': it was compiled for CPU features this machine lacks: " +
                lacking + "; recompile with --mcpu/--mattr");
}
