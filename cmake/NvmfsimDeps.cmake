# External libraries, all from Debian packages installed by ci/setup.sh.
# libnvme's pkg-config file drags in json-c; we only need its headers and
# status strings, so locate it directly.
find_path(LIBNVME_INCLUDE_DIR nvme/types.h REQUIRED)
find_library(LIBNVME_LIBRARY nvme REQUIRED)
add_library(nvmfsim::libnvme UNKNOWN IMPORTED)
set_target_properties(nvmfsim::libnvme PROPERTIES
  IMPORTED_LOCATION "${LIBNVME_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${LIBNVME_INCLUDE_DIR}")

# json-c for JSON output and nvmetcli-style configs (libjson-c-dev).
find_path(JSONC_INCLUDE_DIR json-c/json.h REQUIRED)
find_library(JSONC_LIBRARY json-c REQUIRED)
add_library(nvmfsim::jsonc UNKNOWN IMPORTED)
set_target_properties(nvmfsim::jsonc PROPERTIES
  IMPORTED_LOCATION "${JSONC_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${JSONC_INCLUDE_DIR}")

find_path(CMOCKA_INCLUDE_DIR cmocka.h REQUIRED)
find_library(CMOCKA_LIBRARY cmocka REQUIRED)
add_library(nvmfsim::cmocka UNKNOWN IMPORTED)
set_target_properties(nvmfsim::cmocka PROPERTIES
  IMPORTED_LOCATION "${CMOCKA_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CMOCKA_INCLUDE_DIR}")

# rdma-core is optional at build time: the ibv verbs provider is compiled
# only when its headers exist (they do after ci/setup.sh).
find_path(IBVERBS_INCLUDE_DIR infiniband/verbs.h)
find_library(IBVERBS_LIBRARY ibverbs)
find_path(RDMACM_INCLUDE_DIR rdma/rdma_cma.h)
find_library(RDMACM_LIBRARY rdmacm)
if(IBVERBS_INCLUDE_DIR AND IBVERBS_LIBRARY AND RDMACM_INCLUDE_DIR AND RDMACM_LIBRARY)
  set(NVMFSIM_HAVE_RDMA_CORE ON)
else()
  set(NVMFSIM_HAVE_RDMA_CORE OFF)
  message(STATUS "rdma-core headers not found: the ibv verbs provider is not built")
endif()

find_package(Threads REQUIRED)
