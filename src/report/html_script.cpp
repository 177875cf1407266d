// SPDX-License-Identifier: MIT
// The page's only script (table sorting and the connection filter, no framework) and the
// summary embedded as JSON for machines reading the page.
#include <iterator>

#include "html_internal.hpp"

namespace nfpcap::report::html {

namespace {

auto it(Buffer& out) { return fmt::appender(out); }

// Sorting: a heading's data-type says how its column compares. "num": data-v holds an integer
// (possibly negative, of any size: compared by sign, length, then digits, so 64-bit counts stay
// exact); "key": data-v compared as a string; "text": what the cell shows (or its data-v),
// digit runs as numbers. Empty values sort first. Numbers sort largest first on the first click.
// Filtering: every word typed must appear in the row's text (case-insensitive).
constexpr std::string_view kScript = R"JS((function () {
  'use strict';
  function value(cell, type) {
    if (!cell) return '';
    if (cell.hasAttribute('data-v')) return cell.getAttribute('data-v');
    return cell.textContent.trim();
  }
  function magnitude(a, b) {
    return a.length !== b.length ? a.length - b.length : (a < b ? -1 : a > b ? 1 : 0);
  }
  function compareNum(a, b) {
    if (a === b) return 0;
    if (a === '') return -1;
    if (b === '') return 1;
    var na = a.charAt(0) === '-', nb = b.charAt(0) === '-';
    if (na !== nb) return na ? -1 : 1;
    return na ? magnitude(b.slice(1), a.slice(1)) : magnitude(a, b);
  }
  function compareKey(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: 'base'});
  function compareText(a, b) { return collator.compare(a, b); }

  function sortBy(table, th, column) {
    var type = th.getAttribute('data-type') || 'text';
    var current = th.getAttribute('aria-sort');
    var ascending = current ? current === 'descending' : type !== 'num';
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var compare = type === 'num' ? compareNum : type === 'key' ? compareKey : compareText;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      return {row: row, key: value(row.cells[column], type), index: index};
    });
    rows.sort(function (x, y) {
      var c = compare(x.key, y.key);
      return c !== 0 ? (ascending ? c : -c) : x.index - y.index;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (r) { fragment.appendChild(r.row); });
    body.appendChild(fragment);
  }

  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      var button = th.querySelector('button');
      if (button) button.addEventListener('click', function () { sortBy(table, th, column); });
    });
  });

  var input = document.getElementById('connections-filter');
  var table = document.getElementById('connections-table');
  if (input && table) {
    var count = document.getElementById('connections-count');
    var rows = table.tBodies[0].rows;
    var texts = null;
    input.closest('.controls').hidden = false;
    input.addEventListener('input', function () {
      if (!texts) {
        texts = new Map();
        for (var i = 0; i < rows.length; i++) texts.set(rows[i], rows[i].textContent.toLowerCase());
      }
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      for (var j = 0; j < rows.length; j++) {
        var text = texts.get(rows[j]);
        var match = words.every(function (w) { return text.indexOf(w) >= 0; });
        rows[j].hidden = !match;
        if (match) shown++;
      }
      count.textContent = words.length ? shown + ' of ' + rows.length + ' rows match' : '';
    });
  }
})();
)JS";

void json_key(Buffer& out, std::string_view key, bool& first) {
    if (!first) out.push_back(',');
    first = false;
    fmt::format_to(it(out), "\"{}\":", key);
}

void json_time(Buffer& out, const std::optional<std::int64_t>& ns) {
    if (!ns) {
        out.append(std::string_view("null"));
        return;
    }
    out.push_back('"');
    append_iso_time(out, *ns, 3);
    out.push_back('"');
}

}  // namespace

std::string_view script() { return kScript; }

std::string summary_json(const HtmlReportData& data) {
    const HtmlSummary& s = data.summary;
    Buffer out;
    bool first = true;
    out.push_back('{');
    json_key(out, "generator", first);
    append_json_string(out, data.generator);
    json_key(out, "filter", first);
    append_json_string(out, data.filter);
    json_key(out, "files", first);
    out.push_back('[');
    for (std::size_t i = 0; i < s.files.size(); ++i) {
        if (i) out.push_back(',');
        out.append(std::string_view("{\"file\":"));
        append_json_string(out, s.files[i].name);
        out.append(std::string_view(",\"link_type\":"));
        append_json_string(out, s.files[i].link_type);
        fmt::format_to(it(out), ",\"frames\":{},\"error\":", s.files[i].frames);
        if (s.files[i].error.empty()) {
            out.append(std::string_view("null"));
        } else {
            append_json_string(out, s.files[i].error);
        }
        out.push_back('}');
    }
    out.push_back(']');
    json_key(out, "first", first);
    json_time(out, s.first_ns);
    json_key(out, "last", first);
    json_time(out, s.last_ns);
    const std::pair<std::string_view, std::uint64_t> counts[] = {
        {"exporters", s.exporters},
        {"sessions", s.sessions},
        {"frames", s.frames},
        {"datagrams", s.udp_datagrams},
        {"not_export_datagrams", s.not_export_datagrams},
        {"export_datagrams", s.export_datagrams},
        {"decoded_datagrams", s.decoded_datagrams},
        {"partial_datagrams", s.partial_datagrams},
        {"malformed_datagrams", s.malformed_datagrams},
        {"session_limit_datagrams", s.session_limit_datagrams},
        {"data_records", s.data_records},
        {"options_records", s.options_records},
        {"template_records", s.template_records},
        {"missing_template_sets", s.missing_template_sets},
        {"sequence_gaps", s.sequence_gaps},
        {"sequence_missing", s.sequence_missing},
        {"flows", s.flows},
        {"connections", std::max<std::uint64_t>(s.connections, data.connections_total)},
        {"packets", s.packets},
        {"bytes", s.bytes},
    };
    for (const auto& [key, v] : counts) {
        json_key(out, key, first);
        fmt::format_to(it(out), "{}", v);
    }
    json_key(out, "reasons", first);
    out.push_back('{');
    bool first_reason = true;
    for (const auto* list : {&s.frame_issues, &s.reasons}) {
        for (const HtmlReasonCount& r : *list) {
            if (r.count == 0) continue;
            if (!first_reason) out.push_back(',');
            first_reason = false;
            append_json_string(out, r.name);
            fmt::format_to(it(out), ":{}", r.count);
        }
    }
    out.append(std::string_view("}}"));
    return script_safe_json(std::string_view(out.data(), out.size()));
}

}  // namespace nfpcap::report::html
