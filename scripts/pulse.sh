# Sourced: start_private_pulse starts a user-mode PulseAudio in a temporary folder with a
# null sink "vsink" (a real virtual speaker) whose monitor is the default source (a real
# virtual microphone), exports PULSE_SERVER and COACH_TEST_PULSE=1, and stops it on exit.

start_private_pulse() {
  PA_DIR="$(mktemp -d /tmp/coach-pulse.XXXXXX)"
  trap 'stop_private_pulse' EXIT
  if ! command -v pulseaudio >/dev/null 2>&1; then
    echo "pulse.sh: pulseaudio is not installed; audio-device tests will be skipped" >&2
    return 0
  fi
  mkdir -p "$PA_DIR/run" "$PA_DIR/home" && chmod 700 "$PA_DIR/run"
  HOME="$PA_DIR/home" XDG_RUNTIME_DIR="$PA_DIR/run" pulseaudio --daemonize=no \
    --exit-idle-time=-1 -n --use-pid-file=no \
    --load="module-native-protocol-unix auth-anonymous=1 socket=$PA_DIR/run/native" \
    --load="module-null-sink sink_name=vsink rate=16000 channels=1" \
    --load=module-always-sink >"$PA_DIR/pulse.log" 2>&1 &
  PA_PID=$!
  export PULSE_SERVER="unix:$PA_DIR/run/native"
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  if pactl set-default-source vsink.monitor 2>/dev/null && pactl set-default-sink vsink; then
    export COACH_TEST_PULSE=1
  else
    echo "pulse.sh: PulseAudio did not start; audio-device tests will be skipped" >&2
  fi
}

stop_private_pulse() {
  [ -n "${PA_PID:-}" ] && kill "$PA_PID" 2>/dev/null || true
  [ -n "${PA_DIR:-}" ] && rm -rf "$PA_DIR"
}
