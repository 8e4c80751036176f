#!/usr/bin/env bash
# Runs scripts/bench_latency.py against a private PulseAudio (null sink = virtual speaker,
# its monitor = virtual microphone), the same set-up as scripts/test.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
ensure_system_packages libportaudio2 espeak-ng libespeak-ng1 libasound2-plugins \
  pulseaudio pulseaudio-utils
ensure_venv "dev"
source "$(dirname "$0")/pulse.sh"
start_private_pulse
"$VENV/bin/python" "$ROOT/scripts/bench_latency.py" "$@"
