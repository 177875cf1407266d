// SPDX-License-Identifier: MIT
// Address -> host name maps, and reading them from files in /etc/hosts syntax.
#pragma once
#include <cstddef>
#include <string>
#include <unordered_map>

#include "nfpcap/wire/address.hpp"

namespace nfpcap::analyze {

/// Hash for unordered containers keyed by addresses.
struct AddressHash {
    std::size_t operator()(const wire::IpAddress& a) const noexcept { return wire::hash_value(a); }
};

/// Host name per address.
using NameMap = std::unordered_map<wire::IpAddress, std::string, AddressHash>;

/// Reads hosts-file syntax (hosts(5)): "ADDR NAME [ALIASES...]" per line, `#` starts a comment,
/// blank lines are skipped. The canonical (first) name of the first line naming an address wins;
/// aliases are ignored. An IPv6 zone ("fe80::1%eth0") is dropped, as captures carry none.
/// Throws std::runtime_error naming the file (and "file:line" for a bad address or a line
/// without a name) when the file cannot be read or a line is malformed.
NameMap read_hosts_file(const std::string& path);

}  // namespace nfpcap::analyze
