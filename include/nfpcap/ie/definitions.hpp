// SPDX-License-Identifier: MIT
// Element definitions beyond the generated table: a user's file (--ie-file) and what an
// exporter announces in-band (RFC 5610 type information), each owning its names.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nfpcap/ie/element.hpp"

namespace nfpcap::ie {

/// RFC 5610 §3.1 / IANA "IPFIX Information Element Data Types": the code of a data type
/// (informationElementDataType, IE 339), nullopt when unassigned.
std::optional<DataType> data_type_from_code(std::uint8_t code) noexcept;
/// RFC 5610 §3.2 / IANA "IPFIX Information Element Semantics" (IE 344); 0 "default" is none.
std::optional<Semantics> semantics_from_code(std::uint8_t code) noexcept;
/// IANA "IPFIX Information Element Units" (IE 345): the unit's name, empty for 0 or unassigned.
std::string_view units_from_code(std::uint16_t code) noexcept;
/// An RFC 7012 type name ("unsigned32", case-insensitive), nullopt when there is none.
std::optional<DataType> data_type_from_name(std::string_view name) noexcept;

/// One RFC 5610 type information record as a decoder read it from an options record
/// (IEs 303 informationElementId, 346 privateEnterpriseNumber, 339, 344, 345, 341 name).
/// Views are only read during Definitions::learn.
struct TypeInformation {
    std::uint32_t pen = 0;
    std::uint16_t id = 0;
    std::string_view name;
    std::uint8_t data_type = 0;  ///< IE 339 code
    std::uint8_t semantics = 0;  ///< IE 344 code
    std::uint16_t units = 0;     ///< IE 345 code
};

/// What Definitions::learn did with a type information record.
enum class LearnResult : std::uint8_t {
    learnt,      ///< new, or replacing an earlier definition of (pen, id)
    unchanged,   ///< the same definition again (exporters resend them with templates)
    iana_scope,  ///< pen 0 or 29305: IANA's definitions are not changed by an exporter
    bad_id,      ///< id above the 15-bit element range
    bad_name,    ///< empty, over kMaxNameLength, or not printable ASCII
    bad_type,    ///< data type code unassigned
    full,        ///< the session already holds its limit of definitions
};
std::string_view describe(LearnResult result) noexcept;

/// Owning element definitions keyed by (pen, id). An Element handed out stays valid for the
/// life of the Definitions even when (pen, id) is redefined (templates compiled before keep the
/// meaning they had), so a session keeps its Definitions alive as long as its templates.
/// Not copyable; movable (elements stay where they are).
class Definitions {
public:
    static constexpr std::size_t kMaxNameLength = 255;
    /// A session's bound: an exporter cannot grow one without limit.
    static constexpr std::size_t kDefaultLimit = 4096;

    explicit Definitions(std::size_t limit = kDefaultLimit) : limit_(limit) {}

    /// Defines (pen, id); replaces an earlier definition. False when full or the name is bad.
    bool add(std::uint32_t pen, std::uint16_t id, std::string_view name, DataType type,
             Semantics semantics = Semantics::none, std::string_view units = {});
    /// RFC 5610: learns an exporter's definition (never throws; counts nothing itself).
    LearnResult learn(const TypeInformation& info);

    /// The current definition of (pen, id), or nullptr.
    const Element* find(std::uint32_t pen, std::uint16_t id) const noexcept;
    std::size_t size() const noexcept { return index_.size(); }
    bool empty() const noexcept { return index_.empty(); }

private:
    struct Entry {
        std::string name;
        std::string units;
        Element element;
    };
    std::size_t limit_;
    std::vector<std::unique_ptr<Entry>> entries_;  // never shrinks: see the class comment
    std::map<std::pair<std::uint32_t, std::uint16_t>, const Entry*> index_;
};

/// A bad line of a definitions file; what() is "FILE:LINE: message".
class DefinitionsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Parses user definitions, one `pen,id,name,type` a line: pen a number (or `v9`, with id the
/// NetFlow v9 field type), type an RFC 7012 name; blank lines, `#` comments and a first line
/// `pen,id,name,type` are skipped. Throws DefinitionsError naming `source`:LINE.
Definitions parse_definitions(std::string_view text, std::string_view source);
/// Reads and parses FILE; throws DefinitionsError (also when FILE cannot be read).
Definitions load_definitions(const std::string& path);

/// Installs the user's definitions, consulted by find / find_v9 / find_ipfix after the generated
/// table. Call before decoding starts (not synchronized with lookups); replaces earlier ones.
void set_user_definitions(Definitions definitions);
/// The installed user definitions, or nullptr.
const Definitions* user_definitions() noexcept;

}  // namespace nfpcap::ie
