// SPDX-License-Identifier: MIT
// Names and explanations of decode issues (compiled with -Wswitch-enum: every reason has both).
#include "nfpcap/netflow/issue.hpp"

namespace nfpcap::netflow {

std::string_view name(Reason r) noexcept {
    switch (r) {
    case Reason::capture_truncated: return "capture_truncated";
    case Reason::header_truncated: return "header_truncated";
    case Reason::length_mismatch: return "length_mismatch";
    case Reason::unknown_version: return "unknown_version";
    case Reason::set_truncated: return "set_truncated";
    case Reason::set_length_invalid: return "set_length_invalid";
    case Reason::reserved_set_id: return "reserved_set_id";
    case Reason::template_invalid: return "template_invalid";
    case Reason::template_limit: return "template_limit";
    case Reason::template_too_large: return "template_too_large";
    case Reason::missing_template: return "missing_template";
    case Reason::pending_limit: return "pending_limit";
    case Reason::record_invalid: return "record_invalid";
    case Reason::field_length_mismatch: return "field_length_mismatch";
    case Reason::invalid_utf8: return "invalid_utf8";
    case Reason::invalid_boolean: return "invalid_boolean";
    case Reason::count_mismatch: return "count_mismatch";
    case Reason::trailing_bytes: return "trailing_bytes";
    case Reason::list_too_deep: return "list_too_deep";
    case Reason::type_information_invalid: return "type_information_invalid";
    case Reason::time_clamped: return "time_clamped";
    case Reason::time_reversed: return "time_reversed";
    case Reason::count_: break;
    }
    return "unknown";
}

std::string_view describe(Reason r) noexcept {
    switch (r) {
    case Reason::capture_truncated: return "datagram cut short by the capture's snapshot length";
    case Reason::header_truncated: return "datagram shorter than its export header";
    case Reason::length_mismatch: return "header length or record count disagrees with the datagram size";
    case Reason::unknown_version: return "export version (or NetFlow v8 aggregation scheme) nfpcap does not decode";
    case Reason::set_truncated: return "set runs past the end of the message";
    case Reason::set_length_invalid: return "set length below 4";
    case Reason::reserved_set_id: return "set ID reserved by the RFC";
    case Reason::template_invalid: return "malformed template record";
    case Reason::template_limit: return "template dropped: session template limit reached";
    case Reason::template_too_large: return "template dropped: too many fields or records too long";
    case Reason::missing_template: return "data set without a template: none came before it, nor while it waited";
    case Reason::pending_limit: return "data set waiting for its template dropped: late-data buffer full";
    case Reason::record_invalid: return "record cut short: a field runs past its record or set";
    case Reason::field_length_mismatch: return "field length does not fit its data type (kept as raw bytes)";
    case Reason::invalid_utf8: return "string field is not valid UTF-8";
    case Reason::invalid_boolean: return "boolean field neither 1 (true) nor 2 (false)";
    case Reason::count_mismatch: return "header record count differs from the records present";
    case Reason::trailing_bytes: return "bytes after the last set that are not padding";
    case Reason::list_too_deep: return "lists nested deeper than 8 levels (the deeper part kept as hex)";
    case Reason::type_information_invalid:
        return "RFC 5610 element description not learnt (bad ID, name or type, or too many)";
    case Reason::time_clamped: return "flow time outside 1677-09-21..2262-04-11 (int64 ns): clamped to the limit";
    case Reason::time_reversed: return "flow ends before it starts: its duration is taken as 0";
    case Reason::count_: break;
    }
    return "unknown";
}

}  // namespace nfpcap::netflow
