#pragma once
// Helpers of the pictures tests: a temporary folder, PNG decoding through cairo, pixel statistics,
// and an XML well-formedness check for the SVG files (plus python3's xml parser when available).
#include <cairo.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace pictures_test {

/// A fresh folder under the system's temporary directory, removed at the end of the test.
struct temp_folder {
    std::filesystem::path path;
    explicit temp_folder(const std::string& name) {
        path = std::filesystem::temp_directory_path() /
               ("latentwalk-pictures-" + name + "-" + std::to_string(static_cast<long>(::getpid())));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~temp_folder() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string file(const std::string& f) const { return (path / f).string(); }
};

/// A decoded PNG: width, height and the luminance (0..255) of every pixel, row-major.
struct decoded_png {
    int width = 0, height = 0;
    bool ok = false;
    std::string status;
    std::vector<double> lum;
    double at(int x, int y) const { return lum[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)]; }
    /// Grey value (0..255) of pixel (x, y) as red channel (for grey images all channels agree).
    std::vector<std::uint32_t> argb;
    int red(int x, int y) const {
        return static_cast<int>((argb[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)] >> 16) & 0xff);
    }
    double variance() const {
        double m = 0, q = 0;
        for (double v : lum) m += v;
        m /= static_cast<double>(lum.size());
        for (double v : lum) q += (v - m) * (v - m);
        return q / static_cast<double>(lum.size());
    }
};

inline decoded_png read_png(const std::string& path) {
    decoded_png out;
    cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
    const cairo_status_t st = cairo_surface_status(s);
    out.status = cairo_status_to_string(st);
    if (st == CAIRO_STATUS_SUCCESS) {
        cairo_surface_flush(s);
        out.ok = true;
        out.width = cairo_image_surface_get_width(s);
        out.height = cairo_image_surface_get_height(s);
        const int stride = cairo_image_surface_get_stride(s);
        const unsigned char* data = cairo_image_surface_get_data(s);
        const cairo_format_t fmt = cairo_image_surface_get_format(s);
        for (int y = 0; y < out.height; ++y) {
            const auto* row = reinterpret_cast<const std::uint32_t*>(data + y * stride);
            for (int x = 0; x < out.width; ++x) {
                std::uint32_t p = row[x];
                if (fmt == CAIRO_FORMAT_RGB24) p |= 0xff000000u;
                // Composite (premultiplied) over white.
                const double a = ((p >> 24) & 0xff) / 255.0;
                const double r = ((p >> 16) & 0xff) + 255.0 * (1 - a), g = ((p >> 8) & 0xff) + 255.0 * (1 - a),
                             b = (p & 0xff) + 255.0 * (1 - a);
                out.lum.push_back(0.2126 * r + 0.7152 * g + 0.0722 * b);
                out.argb.push_back(p);
            }
        }
    }
    cairo_surface_destroy(s);
    return out;
}

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Well-formedness of an XML document: one root element, every tag closed in order, quoted attributes,
/// entities terminated; comments, processing instructions, CDATA and a DOCTYPE are skipped. Returns ""
/// when well formed, else a sentence naming the offset.
inline std::string xml_problem(const std::string& s) {
    std::vector<std::string> stack;
    int roots = 0;
    std::size_t i = 0;
    auto fail = [&](const std::string& what) { return what + " at offset " + std::to_string(i) + "."; };
    auto name_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ':' || c == '.' ||
               static_cast<unsigned char>(c) >= 0x80;
    };
    while (i < s.size()) {
        if (s[i] != '<') {
            if (s[i] == '&') {
                const std::size_t semi = s.find(';', i);
                if (semi == std::string::npos || semi - i > 12) return fail("an unterminated entity");
            } else if (stack.empty() && !std::isspace(static_cast<unsigned char>(s[i]))) {
                return fail("text outside the root element");
            }
            ++i;
            continue;
        }
        if (s.compare(i, 4, "<!--") == 0) {
            const std::size_t e = s.find("-->", i + 4);
            if (e == std::string::npos) return fail("an unterminated comment");
            i = e + 3;
        } else if (s.compare(i, 9, "<![CDATA[") == 0) {
            const std::size_t e = s.find("]]>", i);
            if (e == std::string::npos) return fail("an unterminated CDATA section");
            i = e + 3;
        } else if (s.compare(i, 2, "<?") == 0) {
            const std::size_t e = s.find("?>", i);
            if (e == std::string::npos) return fail("an unterminated processing instruction");
            i = e + 2;
        } else if (s.compare(i, 2, "<!") == 0) {
            const std::size_t e = s.find('>', i);
            if (e == std::string::npos) return fail("an unterminated declaration");
            i = e + 1;
        } else if (s.compare(i, 2, "</") == 0) {
            std::size_t j = i + 2;
            while (j < s.size() && name_char(s[j])) ++j;
            const std::string name = s.substr(i + 2, j - i - 2);
            while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
            if (j >= s.size() || s[j] != '>') return fail("a malformed end tag");
            if (stack.empty() || stack.back() != name) return fail("the end tag </" + name + "> closes nothing open");
            stack.pop_back();
            i = j + 1;
        } else {
            std::size_t j = i + 1;
            while (j < s.size() && name_char(s[j])) ++j;
            const std::string name = s.substr(i + 1, j - i - 1);
            if (name.empty()) return fail("a tag without a name");
            bool self_closing = false;
            for (;;) {
                while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
                if (j >= s.size()) return fail("an unterminated start tag");
                if (s[j] == '>') break;
                if (s.compare(j, 2, "/>") == 0) {
                    self_closing = true;
                    ++j;
                    break;
                }
                const std::size_t a = j;
                while (j < s.size() && name_char(s[j])) ++j;
                if (j == a) return fail("a malformed attribute");
                while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
                if (j >= s.size() || s[j] != '=') return fail("an attribute without a value");
                ++j;
                while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
                if (j >= s.size() || (s[j] != '"' && s[j] != '\'')) return fail("an unquoted attribute value");
                const std::size_t e = s.find(s[j], j + 1);
                if (e == std::string::npos) return fail("an unterminated attribute value");
                if (s.substr(j + 1, e - j - 1).find('<') != std::string::npos) return fail("a '<' in an attribute value");
                j = e + 1;
            }
            if (stack.empty()) ++roots;
            if (roots > 1) return fail("a second root element");
            if (!self_closing) stack.push_back(name);
            i = j + 1;
        }
    }
    if (!stack.empty()) return "the element <" + stack.back() + "> is never closed.";
    if (roots != 1) return "there is no root element.";
    return "";
}

/// python3's xml.etree parser on the file: "" when it parses (or python3 is not available), else its error.
inline std::string python_xml_problem(const std::string& path) {
#if defined(LATENTWALK_TEST_PYTHON3)
    const std::string cmd = std::string(LATENTWALK_TEST_PYTHON3) +
                            " -c \"import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); "
                            "sys.exit(0 if r.tag.endswith('svg') else 3)\" '" + path + "' 2>&1";
    const int rc = std::system(cmd.c_str());
    return rc == 0 ? "" : "python3's xml.etree could not parse " + path + " as an SVG document (status " + std::to_string(rc) + ")";
#else
    (void)path;
    return "";
#endif
}

}  // namespace pictures_test
