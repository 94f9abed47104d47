#!/bin/bash
# Install everything wormsign needs to build and test on Debian 12, as root.
# One list, used by the README's commands and by CI.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(
  build-essential cmake pkg-config clang clang-format libclang-rt-14-dev llvm git
  libyara-dev yara libssl-dev libpcre2-dev libcmocka-dev libfuzzy-dev ssdeep
  libregf-dev libregf-utils libevt-dev libevt-utils libevtx-utils libpcap-dev tshark
  python3 python3-evtx xz-utils libbfio-dev jq
  libsmbclient-dev samba samba-common-bin smbclient iproute2
  libtsk-dev sleuthkit dosfstools mtools ntfs-3g
  python3-impacket tcpdump openssl curl wget
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  # tshark asks whether non-root users may capture: answer no, non-interactively
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
