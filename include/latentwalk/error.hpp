#pragma once
// latentwalk/error.hpp — the one exception hierarchy of latentwalk.
//
// Every runtime contract of the library throws a type derived from latentwalk::error, with a
// message that is a sentence naming the function, the argument and what was wrong. Nothing
// aborts, nothing is clamped silently, and a throwing call leaves the caller's data untouched
// (all public functions take their inputs by const reference or by value).
//
//   error                      base of everything latentwalk throws (derives std::runtime_error)
//   ├── dimension_error        sizes that do not fit together (z of the wrong length, k > rank, ...)
//   ├── invalid_argument_error a value outside the domain (k = 0, non-positive step, bad option)
//   ├── numerical_error        NaN/Inf in inputs or results, failed derivative checks, breakdowns
//   │   └── convergence_error  an iteration that did not reach its tolerance and was asked to throw
//   └── model_loading_error    a missing, unreadable or malformed model file
//       └── data_error         a missing, truncated or corrupt data file (latentwalk/data/image_set.hpp,
//                              the data component; the sentence names the Debian package to install)
#include <stdexcept>
#include <string>

namespace latentwalk {

class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class dimension_error : public error {
public:
    using error::error;
};

class invalid_argument_error : public error {
public:
    using error::error;
};

class numerical_error : public error {
public:
    using error::error;
};

class convergence_error : public numerical_error {
public:
    using numerical_error::numerical_error;
};

class model_loading_error : public error {
public:
    using error::error;
};

}  // namespace latentwalk
