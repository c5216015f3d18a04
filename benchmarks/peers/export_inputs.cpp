// export_inputs DIR: writes the benchmarks' models and inputs (bench_models.hpp), and latentwalk's
// answers on them, for the Python peers of benchmarks/peers/peers.py — so that both sides of every
// ratio run on the same weights and codes, and the table can show how far the answers agree.
//
// DIR/manifest.json names each array: {"name": {"file": "name.f64", "shape": [rows, cols]}, …} and
// the scalars; each name.f64 holds the array as raw little-endian float64 in row-major order (PyTorch's
// layout: nn.Linear weights are out × in). Arrays:
//   mapping.W<l>, mapping.b<l>   l = 0…7: mapping_like_mlp(512) (PixelNorm first, leaky ReLU between)
//   codes                        gaussian_codes(64, 512, 7): the tangent-basis codes
//   sigma                        tangent_basis(dense) top-10 singular values at each of codes 0…7
//   potential.<W_z, b_z, …>      flow_potential_weights(512), the field names of mlp_potential_weights
//   flow_codes                   gaussian_codes(64, 512, 13): the potential's codes
//   laplacian                    eigen::mlp_potential::laplacian at each flow code, t = 0.5
//   euler                        one Euler step of potential_flow (t 0 → 1) from flow code 0
//   tall_A, tall_B, angles       the 4096×50 principal-angle pair and principal_angles(A, B)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <latentwalk/eigen.hpp>
#include <latentwalk/grassmann/principal_angles.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
#include <latentwalk/traversal/potential_flow.hpp>

#include "bench_flow.hpp"
#include "bench_models.hpp"

namespace {

namespace lw = latentwalk;
namespace fs = std::filesystem;

class exporter {
public:
    explicit exporter(fs::path dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }

    void array(const std::string& name, const Eigen::MatrixXd& A) {
        const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> R = A;
        write(name, R.data(), R.size(), "[" + std::to_string(A.rows()) + ", " + std::to_string(A.cols()) + "]");
    }
    void array(const std::string& name, const std::vector<double>& v) {
        write(name, v.data(), static_cast<Eigen::Index>(v.size()), "[" + std::to_string(v.size()) + "]");
    }
    void scalar(const std::string& name, double x) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", x);
        entries_.push_back("\"" + name + "\": " + buf);
    }
    void finish() {
        std::ofstream m(dir_ / "manifest.json");
        m << "{\n";
        for (std::size_t i = 0; i < entries_.size(); ++i) m << "  " << entries_[i] << (i + 1 < entries_.size() ? ",\n" : "\n");
        m << "}\n";
        if (!m) throw std::runtime_error("export_inputs: could not write " + (dir_ / "manifest.json").string());
    }

private:
    void write(const std::string& name, const double* p, Eigen::Index n, const std::string& shape) {
        const std::string file = name + ".f64";
        std::ofstream f(dir_ / file, std::ios::binary);
        f.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n * sizeof(double)));
        if (!f) throw std::runtime_error("export_inputs: could not write " + (dir_ / file).string());
        entries_.push_back("\"" + name + "\": {\"file\": \"" + file + "\", \"shape\": " + shape + "}");
    }
    fs::path dir_;
    std::vector<std::string> entries_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " DIR   (writes DIR/manifest.json and DIR/*.f64)\n";
        return 2;
    }
    try {
        exporter out(argv[1]);
        const auto& g = lw::bench::mapping_like_mlp(512);
        for (std::size_t l = 0; l < g.layers().size(); ++l) {
            out.array("mapping.W" + std::to_string(l), g.layers()[l].weight);
            out.array("mapping.b" + std::to_string(l), Eigen::MatrixXd(g.layers()[l].bias.transpose()));
        }
        out.scalar("mapping.layers", static_cast<double>(g.layers().size()));
        out.scalar("mapping.leaky_slope", g.settings().leaky_slope);
        out.scalar("mapping.pixel_norm_epsilon", g.settings().pixel_norm_epsilon);
        const Eigen::MatrixXd codes = lw::bench::gaussian_codes(64, 512, 7);
        out.array("codes", codes);
        lw::tangent_basis_options dense;
        dense.method = lw::tangent_method::dense;
        Eigen::MatrixXd sigma(8, 10);
        for (Eigen::Index b = 0; b < 8; ++b)
            sigma.row(b) = lw::tangent_basis(g, Eigen::VectorXd(codes.row(b).transpose()), 10, dense).singular_values.transpose();
        out.array("sigma", sigma);

        const auto& w = lw::bench::flow_potential_weights(512);
        out.array("potential.W_z", w.W_z), out.array("potential.b_z", w.b_z);
        out.array("potential.W_t1", w.W_t1), out.array("potential.b_t1", w.b_t1);
        out.array("potential.W_t2", w.W_t2), out.array("potential.b_t2", w.b_t2);
        out.array("potential.W_f", w.W_f), out.array("potential.b_f", w.b_f);
        out.array("potential.w_out", w.w_out);
        out.scalar("potential.b_out", w.b_out);
        out.scalar("potential.d", 512);
        const auto& u = lw::bench::flow_potential(512);
        const Eigen::MatrixXd flow_codes = lw::bench::gaussian_codes(64, 512, 13);
        out.array("flow_codes", flow_codes);
        std::vector<double> lap;
        for (Eigen::Index b = 0; b < flow_codes.rows(); ++b) lap.push_back(u.laplacian(flow_codes.row(b).transpose(), 0.5));
        out.array("laplacian", lap);
        const auto o = lw::bench::one_euler_step<lw::eigen::backend<double>>();
        const Eigen::VectorXd z1 = lw::potential_flow(u, Eigen::VectorXd(flow_codes.row(0).transpose()), o).path.back();
        out.array("euler", Eigen::MatrixXd(z1.transpose()));

        const Eigen::MatrixXd A = lw::bench::gaussian_codes(4096, 50, 11), B = lw::bench::gaussian_codes(4096, 50, 12);
        out.array("tall_A", A), out.array("tall_B", B);
        out.array("angles", Eigen::MatrixXd(lw::principal_angles(A, B).angles.transpose()));
        out.finish();
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    return 0;
}
