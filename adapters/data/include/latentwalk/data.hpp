#pragma once
// latentwalk/data.hpp — latentwalk's data sets: Fashion-MNIST and the UCI digits from their Debian
// packages, and procedural dSprites-style sprites with exact factors and their moment estimators.
// Target: latentwalk::data (standard library and zlib, Debian zlib1g-dev).
//
//     auto fm  = latentwalk::data::load_fashion_mnist(latentwalk::data::fashion_mnist_split::train);
//     auto dg  = latentwalk::data::load_digits();
//     auto sp  = latentwalk::data::render_sprite_grid(0, 1024);
#include <latentwalk/data/image_set.hpp>
#include <latentwalk/data/idx.hpp>
#include <latentwalk/data/fashion_mnist.hpp>
#include <latentwalk/data/digits.hpp>
#include <latentwalk/data/sprites.hpp>
#include <latentwalk/data/sprite_factor_estimators.hpp>
