cmake_minimum_required(VERSION 3.25)
# Configures latentwalk with LibTorch hidden and LATENTWALK_WITH_TORCH=AUTO, then builds the tour:
# torch must be reported off and everything else must still build.
execute_process(COMMAND ${CMAKE_COMMAND} --fresh -S ${SOURCE_DIR} -B ${WORK_DIR} -G ${GENERATOR}
    -DCMAKE_DISABLE_FIND_PACKAGE_Torch=TRUE -DLATENTWALK_WITH_TORCH=AUTO -DCMAKE_BUILD_TYPE=Release
    -DLATENTWALK_BUILD_TESTS=OFF -DLATENTWALK_BUILD_EXAMPLES=ON -DLATENTWALK_BUILD_BENCHMARKS=OFF
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configure failed:\n${out}\n${err}")
endif()
if(NOT out MATCHES "LibTorch backend: OFF \\(not found; install the Debian package libtorch-dev")
  message(FATAL_ERROR "the configure output lacks the torch status line:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR} --target tour RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "build without torch failed:\n${out}\n${err}")
endif()
message("configured and built without LibTorch: ok")
