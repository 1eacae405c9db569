//===- ObjectEmitter.cpp - LLVM IR and machine code, in process ----------===//

#include "compiler/Target/Target.h"

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

using namespace mlir;

static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const kiln::CPUTargetOptions &options, std::string &error) {
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
  if (!tm)
    error = "cannot create a target machine for " + triple + " (cpu " + cpu + ")";
  return tm;
}

LogicalResult kiln::queryVectorShape(const CPUTargetOptions &options, CPUVectorShape &shape,
                                     std::string &error) {
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(options, error);
  if (!tm)
    return failure();
  const llvm::MCSubtargetInfo *sti = tm->getMCSubtargetInfo();
  if (sti->checkFeatures("+avx512f"))
    shape = {16, 32};
  else if (sti->checkFeatures("+avx"))
    shape = {8, 16};
  else
    shape = {4, 16};
  return success();
}

std::unique_ptr<llvm::Module>
kiln::translateAndOptimize(ModuleOp module, llvm::LLVMContext &llvmContext,
                           const CPUTargetOptions &options) {
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule) {
    module.emitError("cannot translate the LLVM dialect module to LLVM IR");
    return nullptr;
  }
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(options, error);
  if (!tm) {
    module.emitError(error);
    return nullptr;
  }
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(tm->getTargetTriple().str());
  auto optimize = makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0, tm.get());
  if (llvm::Error err = optimize(llvmModule.get())) {
    module.emitError("LLVM optimization failed: ") << llvm::toString(std::move(err));
    return nullptr;
  }
  return llvmModule;
}

LogicalResult kiln::emitMachineCode(llvm::Module &module, const CPUTargetOptions &options,
                                    EmitKind kind, llvm::raw_pwrite_stream &os,
                                    std::string &error) {
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(options, error);
  if (!tm)
    return failure();
  llvm::legacy::PassManager pm;
  auto fileType = kind == EmitKind::Object ? llvm::CodeGenFileType::ObjectFile
                                           : llvm::CodeGenFileType::AssemblyFile;
  if (tm->addPassesToEmitFile(pm, os, nullptr, fileType)) {
    error = "the target cannot emit this file type";
    return failure();
  }
  pm.run(module);
  return success();
}
