#!/usr/bin/env bash
# Installs what actlab needs beyond Rust: the FashionMNIST dataset (Debian package
# dataset-fashion-mnist, files under /usr/share/datasets/fashion-mnist/).
# Safe to run again: it installs only what is missing.
set -euo pipefail

dataset_dir=/usr/share/datasets/fashion-mnist
if [ -f "$dataset_dir/train-images-idx3-ubyte.gz" ] && [ -f "$dataset_dir/t10k-labels-idx1-ubyte.gz" ]; then
  echo "setup: FashionMNIST present in $dataset_dir"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "setup: installing dataset-fashion-mnist (apt-get)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dataset-fashion-mnist
test -f "$dataset_dir/train-images-idx3-ubyte.gz" || {
  echo "setup: dataset-fashion-mnist installed but $dataset_dir/train-images-idx3-ubyte.gz is missing" >&2
  exit 1
}
