// Turns a knowledge-base regex (the RE2/Hyperscan subset of data/errors/README.md) into the looser
// expression Hyperscan scans raw log bytes with. Guarantee: every line the regex matches after
// normalisation (log_line.h) contains a match of the loosened expression, so Hyperscan finds every
// candidate line and RE2 then decides on the normalised line. Loosening: anchors dropped (rank
// prefixes and progress-bar redraws come before the text), bounded repeats opened, negated classes
// kept inside one line, and where the regex has a wide gap (`.*`, `[^\n]{0,40}`) only the side with
// the longest literal kept: a gap after a common word ("loss") costs Hyperscan several times over.
#pragma once

#include <string>
#include <string_view>

namespace trainctl::errors {

// The loosened expression; the regex itself when it cannot be parsed (Hyperscan then reports it).
std::string prefilter_expression(std::string_view regex);

}  // namespace trainctl::errors
