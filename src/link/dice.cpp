// Dice similarity of CLKs. Hand-written kernels: no Debian library offers a popcount-of-AND over
// bit vectors. The AVX-512 VPOPCNTDQ kernel counts 512 bits per instruction; the fallback uses
// the POPCNT instruction (every x86-64 CPU since 2008) through GCC's builtin.
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized inside their own unmasked intrinsics (GCC
// bug 105593, fixed in GCC 13); the warning is about the header, not this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "link/link.hpp"

namespace haven::link {
namespace {

inline float dice_of(std::uint64_t common, std::uint32_t pa, std::uint32_t pb) {
  return pa + pb == 0 ? 0.0f : 2.0f * static_cast<float>(common) / static_cast<float>(pa + pb);
}

void dice_row_scalar(const std::uint64_t* a, std::uint32_t pa, const std::uint64_t* b,
                     const std::uint32_t* pb, std::size_t n, std::size_t words, float* out) {
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t* bi = b + i * words;
    std::uint64_t common = 0;
    for (std::size_t w = 0; w < words; ++w)
      common += static_cast<std::uint64_t>(__builtin_popcountll(a[w] & bi[w]));
    out[i] = dice_of(common, pa, pb[i]);
  }
}

#if defined(__x86_64__)
// Horizontal sum through memory: _mm512_reduce_add_epi64 trips a false -Wmaybe-uninitialized in
// GCC 12's own header.
__attribute__((target("avx512f"))) inline std::uint64_t lane_sum(__m512i v) {
  alignas(64) std::uint64_t lanes[8];
  _mm512_store_si512(lanes, v);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}

// Sums the lanes of eight vectors at once: out[j] = sum of v[j]'s lanes (a transpose by unpacks
// and 128-bit block shuffles, about one instruction per vector instead of a full reduction each).
__attribute__((target("avx512f"))) inline __m512i sum_lanes8(const __m512i v[8]) {
  const __m512i w01 =
      _mm512_add_epi64(_mm512_unpacklo_epi64(v[0], v[1]), _mm512_unpackhi_epi64(v[0], v[1]));
  const __m512i w23 =
      _mm512_add_epi64(_mm512_unpacklo_epi64(v[2], v[3]), _mm512_unpackhi_epi64(v[2], v[3]));
  const __m512i w45 =
      _mm512_add_epi64(_mm512_unpacklo_epi64(v[4], v[5]), _mm512_unpackhi_epi64(v[4], v[5]));
  const __m512i w67 =
      _mm512_add_epi64(_mm512_unpacklo_epi64(v[6], v[7]), _mm512_unpackhi_epi64(v[6], v[7]));
  const __m512i u0 =
      _mm512_add_epi64(_mm512_shuffle_i64x2(w01, w23, 0x88), _mm512_shuffle_i64x2(w01, w23, 0xDD));
  const __m512i u1 =
      _mm512_add_epi64(_mm512_shuffle_i64x2(w45, w67, 0x88), _mm512_shuffle_i64x2(w45, w67, 0xDD));
  return _mm512_add_epi64(_mm512_shuffle_i64x2(u0, u1, 0x88), _mm512_shuffle_i64x2(u0, u1, 0xDD));
}

__attribute__((target("avx512f,avx512vpopcntdq,avx512dq,avx512vl"))) void dice_row_avx512(
    const std::uint64_t* a, std::uint32_t pa, const std::uint64_t* b, const std::uint32_t* pb,
    std::size_t n, std::size_t words, float* out) {
  std::size_t i = 0;
  if (words ==
      16) {  // 1024-bit CLKs, the default: `a` stays in two registers, eight CLKs of b per step
    const __m512i a0 = _mm512_loadu_si512(a), a1 = _mm512_loadu_si512(a + 8);
    const __m256 pa8 = _mm256_set1_ps(static_cast<float>(pa)), two = _mm256_set1_ps(2.0f),
                 zero = _mm256_setzero_ps();
    for (; i + 8 <= n; i += 8) {
      __m512i v[8];
      for (int j = 0; j < 8; ++j) {
        const std::uint64_t* bj = b + (i + j) * 16;
        v[j] =
            _mm512_add_epi64(_mm512_popcnt_epi64(_mm512_and_si512(a0, _mm512_loadu_si512(bj))),
                             _mm512_popcnt_epi64(_mm512_and_si512(a1, _mm512_loadu_si512(bj + 8))));
      }
      const __m256 common = _mm512_cvtepi64_ps(sum_lanes8(v));
      const __m256 sum = _mm256_add_ps(
          pa8, _mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(pb + i))));
      const __m256 d = _mm256_div_ps(_mm256_mul_ps(two, common), sum);
      _mm256_storeu_ps(out + i, _mm256_blendv_ps(d, zero, _mm256_cmp_ps(sum, zero, _CMP_EQ_OQ)));
    }
  }
  for (; i < n; ++i) {
    const std::uint64_t* bi = b + i * words;
    __m512i total = _mm512_setzero_si512();
    for (std::size_t w = 0; w < words; w += 8)
      total = _mm512_add_epi64(total, _mm512_popcnt_epi64(_mm512_and_si512(
                                          _mm512_loadu_si512(a + w), _mm512_loadu_si512(bi + w))));
    out[i] = dice_of(lane_sum(total), pa, pb[i]);
  }
}

bool has_avx512_popcount() {
  static const bool has = __builtin_cpu_supports("avx512f") &&
                          __builtin_cpu_supports("avx512vpopcntdq") &&
                          __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  return has;
}
#endif

}  // namespace

void dice_row(const std::uint64_t* a, std::uint32_t pa, const std::uint64_t* b,
              const std::uint32_t* pb, std::size_t n, std::size_t words, float* out) {
#if defined(__x86_64__)
  if (words % 8 == 0 && has_avx512_popcount()) return dice_row_avx512(a, pa, b, pb, n, words, out);
#endif
  dice_row_scalar(a, pa, b, pb, n, words, out);
}

double dice(const std::uint64_t* a, const std::uint64_t* b, std::size_t words, std::uint32_t pa,
            std::uint32_t pb) {
  float out = 0;
  dice_row(a, pa, b, &pb, 1, words, &out);
  return out;
}

}  // namespace haven::link
