//===- ObjectEmitter.cpp - LLVM IR and machine code, in process ----------===//

#include "compiler/Target/CPU/CPUTarget.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;

std::unique_ptr<llvm::TargetMachine>
kiln::cpu::createTargetMachine(const TargetOptions &options, std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu.empty() ? llvm::sys::getHostCPUName().str() : options.cpu;
  std::string features = options.features;
  if (features.empty() && options.cpu.empty()) {
    for (const auto &f : llvm::sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") +
                  f.first().str();
  }
  llvm::TargetOptions targetOptions;
  auto tm = std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      options.optLevel >= 3 ? llvm::CodeGenOptLevel::Aggressive : llvm::CodeGenOptLevel::Default));
  if (!tm) {
    error = "cannot create a target machine for " + triple + " (cpu " + cpu + ")";
    return nullptr;
  }
  // LLVM only warns about unknown names and aborts later, inside code
  // generation, on a CPU that cannot run the triple's 64-bit code: check here.
  const llvm::MCSubtargetInfo *sti = tm->getMCSubtargetInfo();
  if (!sti->isCPUStringValid(cpu)) {
    error = "--mcpu expects a CPU name LLVM knows for " + triple + ", found '" + cpu + "'";
    return nullptr;
  }
  llvm::SmallVector<llvm::StringRef> names;
  llvm::StringRef(options.features).split(names, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef f : names) {
    llvm::StringRef name = f.drop_front(f.starts_with("+") || f.starts_with("-") ? 1 : 0);
    if (!(f.starts_with("+") || f.starts_with("-")) ||
        !llvm::any_of(sti->getAllProcessorFeatures(),
                      [&](const llvm::SubtargetFeatureKV &kv) { return name == kv.Key; })) {
      error = "--mattr expects +feature or -feature with features LLVM knows, found '" +
              f.str() + "'";
      return nullptr;
    }
  }
  if (llvm::Triple(triple).isArch64Bit() &&
      (!sti->checkFeatures("+64bit") || !sti->checkFeatures("+64bit-mode"))) {
    error = "the target expects a 64-bit CPU for " + triple + ", found cpu '" + cpu +
            "' with features '" + features + "'";
    return nullptr;
  }
  return tm;
}

kiln::cpu::VectorShape kiln::cpu::queryVectorShape(const llvm::TargetMachine &tm) {
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  if (sti->checkFeatures("+avx512f"))
    return {16, 32};
  if (sti->checkFeatures("+avx"))
    return {8, 16};
  return {4, 16};
}

std::string kiln::cpu::queryCPUFeatures(const llvm::TargetMachine &tm) {
  if (!tm.getTargetTriple().isX86())
    return "";
  static const char *const names[] = {
#define KILN_CPU_FEATURE(name, ...) name,
#include "runtime/kiln_cpu_features.def"
#undef KILN_CPU_FEATURE
  };
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  std::string features;
  for (const char *name : names)
    if (sti->checkFeatures(std::string("+") + name))
      features += (features.empty() ? "" : ",") + std::string(name);
  return features;
}

std::unique_ptr<llvm::Module> kiln::cpu::translateToLLVMIR(ModuleOp module,
                                                          llvm::LLVMContext &llvmContext,
                                                          llvm::TargetMachine &tm) {
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule) {
    module.emitError("cannot translate the LLVM dialect module to LLVM IR");
    return nullptr;
  }
  llvmModule->setDataLayout(tm.createDataLayout());
  llvmModule->setTargetTriple(tm.getTargetTriple().str());
  return llvmModule;
}

LogicalResult kiln::cpu::optimizeLLVMIR(ModuleOp module, llvm::Module &llvmModule,
                                        llvm::TargetMachine &tm, unsigned optLevel) {
  auto optimize = makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, &tm);
  if (llvm::Error err = optimize(&llvmModule))
    return module.emitError("LLVM optimization failed: ") << llvm::toString(std::move(err));
  return success();
}

LogicalResult kiln::cpu::emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                                         EmitKind kind, llvm::raw_pwrite_stream &os,
                                         std::string &error) {
  llvm::legacy::PassManager pm;
  auto fileType = kind == EmitKind::Object ? llvm::CodeGenFileType::ObjectFile
                                           : llvm::CodeGenFileType::AssemblyFile;
  if (tm.addPassesToEmitFile(pm, os, nullptr, fileType)) {
    error = "the target cannot emit this file type";
    return failure();
  }
  pm.run(module);
  return success();
}
