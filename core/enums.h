// One table per enum: combos, JSON and CLI flags all read these, so names cannot drift apart.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace attnmd::core {

enum class ModelKind { Prompt, Query, KQ };
enum class QueryKind { First, Given };
enum class LossKind { Logistic, Exponential, Correlation };
enum class OptimizerKind { GD, NGD, MD, NMD, Polyak, Adam, Momentum };
enum class InitKind { Zeros, Gaussian, Given };
enum class SvmNorm { Lp, Nuclear };

template <class E>
struct EnumEntry {
  E value;
  const char* name;   // the name in scene files, CLI flags and combos
  const char* label;  // a short human label for the UI
};

template <class E>
std::span<const EnumEntry<E>> enumTable();

template <>
inline std::span<const EnumEntry<ModelKind>> enumTable<ModelKind>() {
  static constexpr EnumEntry<ModelKind> t[] = {{ModelKind::Prompt, "prompt", "prompt p"},
                                               {ModelKind::Query, "query", "query W"},
                                               {ModelKind::KQ, "kq", "key-query K Q^T"}};
  return t;
}
template <>
inline std::span<const EnumEntry<QueryKind>> enumTable<QueryKind>() {
  static constexpr EnumEntry<QueryKind> t[] = {{QueryKind::First, "first", "first token"},
                                               {QueryKind::Given, "given", "given z"}};
  return t;
}
template <>
inline std::span<const EnumEntry<LossKind>> enumTable<LossKind>() {
  static constexpr EnumEntry<LossKind> t[] = {{LossKind::Logistic, "logistic", "logistic"},
                                              {LossKind::Exponential, "exponential", "exponential"},
                                              {LossKind::Correlation, "correlation", "correlation"}};
  return t;
}
template <>
inline std::span<const EnumEntry<OptimizerKind>> enumTable<OptimizerKind>() {
  static constexpr EnumEntry<OptimizerKind> t[] = {
      {OptimizerKind::GD, "gd", "gradient descent"},
      {OptimizerKind::NGD, "ngd", "normalized GD"},
      {OptimizerKind::MD, "md", "l_p mirror descent"},
      {OptimizerKind::NMD, "nmd", "normalized mirror descent"},
      {OptimizerKind::Polyak, "polyak", "Polyak step"},
      {OptimizerKind::Adam, "adam", "Adam"},
      {OptimizerKind::Momentum, "momentum", "heavy-ball momentum"}};
  return t;
}
template <>
inline std::span<const EnumEntry<InitKind>> enumTable<InitKind>() {
  static constexpr EnumEntry<InitKind> t[] = {{InitKind::Zeros, "zeros", "zeros"},
                                              {InitKind::Gaussian, "gaussian", "gaussian"},
                                              {InitKind::Given, "given", "given"}};
  return t;
}
template <>
inline std::span<const EnumEntry<SvmNorm>> enumTable<SvmNorm>() {
  static constexpr EnumEntry<SvmNorm> t[] = {{SvmNorm::Lp, "lp", "entrywise l_p"},
                                             {SvmNorm::Nuclear, "nuclear", "nuclear"}};
  return t;
}

// The scene-file / CLI name of an enum value.
template <class E>
const char* enumName(E value) {
  for (const auto& e : enumTable<E>())
    if (e.value == value) return e.name;
  return "?";
}

template <class E>
const char* enumLabel(E value) {
  for (const auto& e : enumTable<E>())
    if (e.value == value) return e.label;
  return "?";
}

// Parses a scene-file / CLI name; nullopt when unknown.
template <class E>
std::optional<E> enumFromName(std::string_view name) {
  for (const auto& e : enumTable<E>())
    if (name == e.name) return e.value;
  return std::nullopt;
}

}  // namespace attnmd::core
