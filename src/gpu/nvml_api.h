// Our own declarations of the small part of NVML's C ABI that trainctl calls, written from the
// facts in NVIDIA's public NVML API reference, so building needs nothing from NVIDIA. Every
// function is found with dlsym at run time; the struct layouts are checked by static_assert.
#pragma once

#include <climits>

namespace trainctl::gpu::nvml {

// nvmlReturn_t is a C enum: an int in the ABI.
using Return = int;
inline constexpr Return kSuccess = 0;
inline constexpr Return kErrorNotSupported = 3;
inline constexpr Return kErrorNotFound = 6;
inline constexpr Return kErrorInsufficientSize = 7;
inline constexpr Return kErrorDriverNotLoaded = 9;
inline constexpr Return kErrorLibRmVersionMismatch = 18;

// What NVML writes into a 64-bit value it cannot report (a process's memory under MIG).
inline constexpr unsigned long long kValueNotAvailable = ULLONG_MAX;
// What NVML writes into a process's GPU/compute instance id outside MIG.
inline constexpr unsigned int kInvalidInstanceId = UINT_MAX;
inline constexpr int kTemperatureSensorGpu = 0;    // nvmlTemperatureSensors_t: the GPU die
inline constexpr unsigned int kMigModeEnabled = 1;
// Larger than every buffer size NVML documents for names, UUIDs and versions (96 at most).
inline constexpr unsigned int kStringBufferBytes = 256;

// nvmlDevice_t: an opaque handle, a pointer in the ABI; MIG device handles share the type.
struct DeviceOpaque;
using Device = DeviceOpaque*;

struct Memory {                        // nvmlMemory_t, bytes
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

struct Utilization {                   // nvmlUtilization_t, percent over the last sample period
  unsigned int gpu;
  unsigned int memory;
};

struct PciInfo {                       // nvmlPciInfo_t as filled by nvmlDeviceGetPciInfo_v3
  char bus_id_legacy[16];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pci_device_id;
  unsigned int pci_subsystem_id;
  char bus_id[32];                     // "00000000:01:00.0"
};

struct ProcessInfoV1 {                 // for nvmlDeviceGetComputeRunningProcesses (no suffix)
  unsigned int pid;
  unsigned long long used_gpu_memory;
};

struct ProcessInfoV2 {                 // for the _v2 call, and for _v3 on most drivers
  unsigned int pid;
  unsigned long long used_gpu_memory;
  unsigned int gpu_instance_id;
  unsigned int compute_instance_id;
};

// Some R535 drivers write this longer record from the _v3 call (see nvml_process_records.h).
struct ProcessInfoV3Cc {
  unsigned int pid;
  unsigned long long used_gpu_memory;
  unsigned int gpu_instance_id;
  unsigned int compute_instance_id;
  unsigned long long used_gpu_cc_protected_memory;
};

static_assert(sizeof(Memory) == 24 && sizeof(Utilization) == 8 && sizeof(PciInfo) == 68);
static_assert(sizeof(ProcessInfoV1) == 16 && sizeof(ProcessInfoV2) == 24 && sizeof(ProcessInfoV3Cc) == 32);

// The functions, by the name dlsym finds them under.
using InitFn = Return (*)();                                              // nvmlInit_v2
using ShutdownFn = Return (*)();                                          // nvmlShutdown
using ErrorStringFn = const char* (*)(Return);                            // nvmlErrorString
using SystemStringFn = Return (*)(char*, unsigned int);                   // nvmlSystemGetDriverVersion, ...GetNVMLVersion
using CudaDriverVersionFn = Return (*)(int*);                             // nvmlSystemGetCudaDriverVersion: 12040
using ProcessNameFn = Return (*)(unsigned int, char*, unsigned int);      // nvmlSystemGetProcessName
using DeviceCountFn = Return (*)(unsigned int*);                          // nvmlDeviceGetCount_v2
using HandleByIndexFn = Return (*)(unsigned int, Device*);                // nvmlDeviceGetHandleByIndex_v2
using DeviceStringFn = Return (*)(Device, char*, unsigned int);           // nvmlDeviceGetName, ...GetUUID
using PciInfoFn = Return (*)(Device, PciInfo*);                           // nvmlDeviceGetPciInfo_v3
using MemoryInfoFn = Return (*)(Device, Memory*);                         // nvmlDeviceGetMemoryInfo
using UtilizationFn = Return (*)(Device, Utilization*);                   // nvmlDeviceGetUtilizationRates
using TemperatureFn = Return (*)(Device, int, unsigned int*);             // nvmlDeviceGetTemperature, °C
using DeviceUintFn = Return (*)(Device, unsigned int*);                   // power usage/limit (mW), MIG count, instance ids
using ComputeCapabilityFn = Return (*)(Device, int*, int*);               // nvmlDeviceGetCudaComputeCapability
using MigModeFn = Return (*)(Device, unsigned int*, unsigned int*);       // nvmlDeviceGetMigMode: current, pending
using MigHandleFn = Return (*)(Device, unsigned int, Device*);            // nvmlDeviceGetMigDeviceHandleByIndex
// nvmlDeviceGetComputeRunningProcesses{,_v2,_v3}: count in/out; records of a driver-chosen size.
using RunningProcessesFn = Return (*)(Device, unsigned int*, void*);

}  // namespace trainctl::gpu::nvml
