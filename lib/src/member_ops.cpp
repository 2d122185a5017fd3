// The member access code of every member type the library supports, compiled once here instead
// of in every file that uses a model (see orm::detail::member_ops).
#include "orm/model.hpp"

namespace orm::detail {

template const MemberOps& member_ops<bool>();
template const MemberOps& member_ops<std::optional<bool>>();
template const MemberOps& member_ops<std::int16_t>();
template const MemberOps& member_ops<std::optional<std::int16_t>>();
template const MemberOps& member_ops<int>();
template const MemberOps& member_ops<std::optional<int>>();
template const MemberOps& member_ops<long>();
template const MemberOps& member_ops<std::optional<long>>();
template const MemberOps& member_ops<long long>();
template const MemberOps& member_ops<std::optional<long long>>();
template const MemberOps& member_ops<float>();
template const MemberOps& member_ops<std::optional<float>>();
template const MemberOps& member_ops<double>();
template const MemberOps& member_ops<std::optional<double>>();
template const MemberOps& member_ops<std::string>();
template const MemberOps& member_ops<std::optional<std::string>>();
template const MemberOps& member_ops<Timestamp>();
template const MemberOps& member_ops<std::optional<Timestamp>>();

}  // namespace orm::detail
