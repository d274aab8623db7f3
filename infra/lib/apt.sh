# Shared by the infra scripts: the Debian packages of infra/apt-packages.txt, installed when missing.
# Source it; it defines functions only.

# install_apt_packages WHO: installs what infra/apt-packages.txt lists and dpkg does not have (needs
# root; without it, names the missing packages and returns 1). Run from the repository's root.
install_apt_packages() {
  local who=$1 p missing=() wanted
  mapfile -t wanted < <(grep -vE '^\s*(#|$)' infra/apt-packages.txt | tr -d ' ')
  for p in "${wanted[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "$who: missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "$who: installing Debian packages: ${missing[*]}" >&2
  echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
