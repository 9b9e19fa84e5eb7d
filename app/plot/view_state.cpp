#include "app/plot/view_state.h"

namespace attnmd::plot {

void ViewState::toggle(const std::string& key) {
  if (!hidden.erase(key)) hidden.insert(key);
}

std::string seriesKey(const Plot& plot, const Series& series) {
  return plot.name + "/" + series.name;
}
std::string refKey(const Plot& plot, const RefLine& ref) {
  return plot.name + "/ref/" + ref.name;
}

std::string groupKey(const Plot& plot, const std::string& group) {
  return plot.name + "/group/" + group;
}
std::string roleKey(const Plot& plot, const std::string& role) {
  return plot.name + "/role/" + role;
}

namespace {
bool groupOrRoleHidden(const ViewState& view, const Plot& plot, const std::string& group,
                       const std::string& role) {
  if (view.hidden.empty()) return false;
  return (!group.empty() && view.isHidden(groupKey(plot, group))) ||
         (!role.empty() && view.isHidden(roleKey(plot, role)));
}
}  // namespace

bool isShown(const ViewState& view, const Plot& plot, const Series& series) {
  if (!series.visible) return false;
  if (view.hidden.empty()) return true;
  return !view.isHidden(seriesKey(plot, series)) && !groupOrRoleHidden(view, plot, series.group, series.role);
}
bool isShown(const ViewState& view, const Plot& plot, const RefLine& ref) {
  if (view.hidden.empty()) return true;
  return (ref.name.empty() || !view.isHidden(refKey(plot, ref))) &&
         !groupOrRoleHidden(view, plot, ref.group, ref.role);
}

}  // namespace attnmd::plot
