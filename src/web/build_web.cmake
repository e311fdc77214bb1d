# Builds the web bundle into BUNDLE_DIR and embeds it into OUT. Run as:
#   cmake -DWEB_DIR=... -DBUNDLE_DIR=... -DNODE=... -DNPM=... -DOUT=... -P build_web.cmake
# Several build directories may build at once from one source tree: npm ci runs under a lock, and
# only when web/node_modules is missing or older than web/package-lock.json.
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY "${BUNDLE_DIR}")
file(LOCK "${WEB_DIR}/.build.lock" GUARD PROCESS TIMEOUT 600 RESULT_VARIABLE locked)
if(NOT locked STREQUAL "0")
  message(FATAL_ERROR "web: could not lock ${WEB_DIR}/.build.lock: ${locked}")
endif()
set(stamp "${WEB_DIR}/node_modules/.package-lock.json")
if(NOT EXISTS "${stamp}" OR "${WEB_DIR}/package-lock.json" IS_NEWER_THAN "${stamp}")
  message(STATUS "web: npm ci in ${WEB_DIR}")
  execute_process(COMMAND "${NPM}" ci --no-audit --no-fund WORKING_DIRECTORY "${WEB_DIR}" RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "web: npm ci failed in ${WEB_DIR} (the npm registry must be reachable once; scripts/setup runs it)")
  endif()
endif()
# Type errors fail CI (CI=true) and the web_typecheck test; elsewhere they are reported and the
# bundle is built anyway, so that a screen half-written in the shared tree does not stop the
# build of someone working on the server.
execute_process(COMMAND "${NODE}" node_modules/typescript/bin/tsc --noEmit -p . WORKING_DIRECTORY "${WEB_DIR}"
                RESULT_VARIABLE failed)
if(failed)
  if(DEFINED ENV{CI} AND NOT "$ENV{CI}" STREQUAL "")
    message(FATAL_ERROR "web: TypeScript type check failed (see above)")
  endif()
  message(WARNING "web: TypeScript type check failed (see above); bundling anyway. CI and the web_typecheck test fail on it.")
endif()
execute_process(COMMAND "${NODE}" build.mjs --outdir "${BUNDLE_DIR}" WORKING_DIRECTORY "${WEB_DIR}" RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "web: bundling failed (see above)")
endif()
file(LOCK "${WEB_DIR}/.build.lock" RELEASE)
include("${CMAKE_CURRENT_LIST_DIR}/embed_web.cmake")
