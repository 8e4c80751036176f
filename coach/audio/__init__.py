"""Sound in and out: decoding and WAV files (pcm), voice activity and endpointing (vad),
sound devices, the recording loop (record) and the voices that speak (voices)."""
