// fmt's compiled part, built once here instead of header-only in every file. Header-only fmt
// emits its formatting engine in each translation unit that formats anything (about 3 s of
// compile time per file at -O2); compiling it once and linking it statically keeps the start-up
// benefit of not loading libfmt.so at run time. The explicit instantiations are the ones
// <fmt/format.h> declares `extern template` when FMT_HEADER_ONLY is not defined.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {
template FMT_API auto thousands_sep_impl<char>(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto thousands_sep_impl<wchar_t>(locale_ref) -> thousands_sep_result<wchar_t>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API auto decimal_point_impl(locale_ref) -> wchar_t;
}  // namespace detail
FMT_END_NAMESPACE
