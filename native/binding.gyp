# Builds sparsebench_native.node: a blocked single-precision GEMM for the wasm backend's matmuls.
# Flags are portable (no -march=native): each instruction-set variant selects its own target with
# `#pragma GCC target`, and dispatch.c picks one at run time, so a binary built here runs on any x86-64.
{
  'targets': [
    {
      'target_name': 'sparsebench_native',
      'sources': [
        'src/addon.c',
        'src/dispatch.c',
        'src/gemm_avx512.c',
        'src/gemm_avx2.c',
        'src/gemm_generic.c',
        'src/vector_ops.c',
        'src/layer_norm.c',
        'src/attention.c',
        'src/adamw.c',
        'src/cross_entropy.c',
        'src/top_k.c',
      ],
      'cflags': ['-std=gnu11', '-O3', '-fno-math-errno', '-fno-trapping-math', '-Wall', '-Wextra', '-Wno-unused-parameter'],
      'ldflags': ['-pthread'],
      'xcode_settings': {
        'OTHER_CFLAGS': ['-std=gnu11', '-O3', '-fno-math-errno', '-fno-trapping-math'],
      },
    },
  ],
}
