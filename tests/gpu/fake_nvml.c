/* A stand-in for NVIDIA's libnvidia-ml.so.1, built under that file name so that the gpu tests run
 * trainctl's real dlopen path: two GPUs (an H100 with two processes, one of unknown memory, and an
 * A100), written from NVML's documented behaviour. FAKE_NVML_MODE switches it:
 *   (unset)            both GPUs, MIG off
 *   mig                GPU 1 in MIG mode with MIG devices in slots 0 and 2 (slot 1 empty)
 *   cc_records         the _v3 process call writes 32-byte records, as some R535 drivers do
 *   driver_not_loaded  nvmlInit_v2 fails with NVML_ERROR_DRIVER_NOT_LOADED
 *   zero_devices       the driver reports no GPU
 * nvmlSystemGetNVMLVersion and the _v2/v1 process calls are left out on purpose: a missing symbol
 * must leave its field unknown. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;
enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_NOT_FOUND = 6,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_DRIVER_NOT_LOADED = 9
};

#define MIB (1024ULL * 1024ULL)
#define NOT_AVAILABLE ULLONG_MAX

struct fake_device {
  int gpu;
  int mig_slot; /* -1: the GPU itself */
};
typedef struct fake_device* nvmlDevice_t;

typedef struct {
  unsigned long long total, free, used;
} nvmlMemory_t;
typedef struct {
  unsigned int gpu, memory;
} nvmlUtilization_t;
typedef struct {
  char busIdLegacy[16];
  unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;

struct fake_process {
  unsigned int pid;
  unsigned long long memory;
  unsigned int gpu_instance, compute_instance;
};

static struct fake_device gpus[2] = {{0, -1}, {1, -1}};
static struct fake_device migs[3] = {{1, 0}, {1, 1}, {1, 2}};

static int mode_is(const char* name) {
  const char* mode = getenv("FAKE_NVML_MODE");
  return mode != NULL && strcmp(mode, name) == 0;
}

static int mig_on(const struct fake_device* d) { return d->gpu == 1 && mode_is("mig"); }

static nvmlReturn_t copy_string(const char* text, char* out, unsigned int length) {
  size_t needed = strlen(text) + 1;
  if (out == NULL || length < needed) return NVML_ERROR_INSUFFICIENT_SIZE;
  memcpy(out, text, needed);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlInit_v2(void) { return mode_is("driver_not_loaded") ? NVML_ERROR_DRIVER_NOT_LOADED : NVML_SUCCESS; }

nvmlReturn_t nvmlShutdown(void) { return NVML_SUCCESS; }

const char* nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  return copy_string("550.54.15", version, length);
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion(int* version) {
  *version = 12040;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlSystemGetProcessName(unsigned int pid, char* name, unsigned int length) {
  switch (pid) {
    case 4242: return copy_string("/usr/bin/python3", name, length);
    case 5151: return copy_string("/opt/conda/bin/python", name, length);
    case 6001: return copy_string("python", name, length);
    default: return NVML_ERROR_NOT_FOUND; /* e.g. a process in another pid namespace */
  }
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* count) {
  *count = mode_is("zero_devices") ? 0 : 2;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device) {
  if (index >= 2 || mode_is("zero_devices")) return NVML_ERROR_INVALID_ARGUMENT;
  *device = &gpus[index];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char* name, unsigned int length) {
  if (d->mig_slot == 0) return copy_string("NVIDIA A100-SXM4-40GB MIG 3g.20gb", name, length);
  if (d->mig_slot == 2) return copy_string("NVIDIA A100-SXM4-40GB MIG 2g.10gb", name, length);
  return copy_string(d->gpu == 0 ? "NVIDIA H100 80GB HBM3" : "NVIDIA A100-SXM4-40GB", name, length);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char* uuid, unsigned int length) {
  if (d->mig_slot == 0) return copy_string("MIG-11111111-2222-5333-8444-555555555555", uuid, length);
  if (d->mig_slot == 2) return copy_string("MIG-66666666-7777-5888-9999-aaaaaaaaaaaa", uuid, length);
  return copy_string(d->gpu == 0 ? "GPU-3b6d9f1a-52c4-8e07-b1d3-6a9c2e4f8b10" : "GPU-5d5ba0d6-d33d-2b2c-524d-e6d1d4f1a6e3",
                     uuid, length);
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t* pci) {
  memset(pci, 0, sizeof(*pci));
  pci->bus = d->gpu == 0 ? 0x1Bu : 0x43u;
  strcpy(pci->busId, d->gpu == 0 ? "00000000:1B:00.0" : "00000000:43:00.0");
  strcpy(pci->busIdLegacy, d->gpu == 0 ? "0000:1B:00.0" : "0000:43:00.0");
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t* memory) {
  if (d->mig_slot == 0) {
    memory->total = 19968 * MIB;
    memory->used = 11230 * MIB;
  } else if (d->mig_slot == 2) {
    memory->total = 9856 * MIB;
    memory->used = 13 * MIB;
  } else if (d->gpu == 0) {
    memory->total = 81559 * MIB;
    memory->used = 10752 * MIB;
  } else {
    memory->total = 40960 * MIB;
    memory->used = 4 * MIB;
  }
  memory->free = memory->total - memory->used;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t* utilization) {
  if (d->mig_slot >= 0 || mig_on(d)) return NVML_ERROR_NOT_SUPPORTED; /* as under MIG */
  utilization->gpu = d->gpu == 0 ? 97u : 0u;
  utilization->memory = d->gpu == 0 ? 41u : 0u;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int* celsius) {
  if (sensor != 0) return NVML_ERROR_INVALID_ARGUMENT;
  *celsius = d->gpu == 0 ? 61u : 33u;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int* milliwatts) {
  if (d->gpu == 1) return NVML_ERROR_NOT_SUPPORTED;
  *milliwatts = 612345u;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned int* milliwatts) {
  *milliwatts = d->gpu == 0 ? 700000u : 400000u;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t d, int* major, int* minor) {
  *major = d->gpu == 0 ? 9 : 8;
  *minor = 0;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int* current, unsigned int* pending) {
  *current = mig_on(d) ? 1u : 0u;
  *pending = *current;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t d, unsigned int* count) {
  *count = mig_on(d) ? 7u : 0u;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t d, unsigned int index, nvmlDevice_t* mig) {
  if (!mig_on(d) || (index != 0 && index != 2)) return NVML_ERROR_NOT_FOUND;
  *mig = &migs[index];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t d, unsigned int* id) {
  if (d->mig_slot < 0) return NVML_ERROR_NOT_SUPPORTED;
  *id = d->mig_slot == 0 ? 2u : 3u;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t d, unsigned int* id) {
  if (d->mig_slot < 0) return NVML_ERROR_NOT_SUPPORTED;
  *id = 0;
  return NVML_SUCCESS;
}

/* The processes on a device, in the record layout of the _v3 call (24 bytes, or 32 in cc_records). */
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int* count, void* infos) {
  static const struct fake_process on_gpu0[] = {{4242, 10240 * MIB, UINT_MAX, UINT_MAX},
                                                {4243, NOT_AVAILABLE, UINT_MAX, UINT_MAX}};
  static const struct fake_process on_gpu1[] = {{5151, 2048 * MIB, UINT_MAX, UINT_MAX}};
  static const struct fake_process on_mig0[] = {{6001, 11204 * MIB, 2, 0}};
  const struct fake_process* list = NULL;
  unsigned int n = 0;
  size_t record = mode_is("cc_records") ? 32 : 24;
  unsigned int i;
  if (d->mig_slot == 0) {
    list = on_mig0;
    n = 1;
  } else if (d->mig_slot < 0 && d->gpu == 0) {
    list = on_gpu0;
    n = 2;
  } else if (d->mig_slot < 0 && d->gpu == 1 && !mig_on(d)) {
    list = on_gpu1;
    n = 1;
  }
  if (*count < n) {
    *count = n;
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  for (i = 0; i < n; ++i) {
    unsigned char* out = (unsigned char*)infos + i * record;
    memset(out, 0, record);
    memcpy(out, &list[i].pid, 4);
    memcpy(out + 8, &list[i].memory, 8);
    memcpy(out + 16, &list[i].gpu_instance, 4);
    memcpy(out + 20, &list[i].compute_instance, 4);
  }
  *count = n;
  return NVML_SUCCESS;
}
