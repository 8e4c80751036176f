"""Speech to words: the transcript types and the Transcriber protocol (transcript), the
Whisper recogniser (whisper), transcription while recording (stream), fillers, and the
words to listen for (vocabulary)."""
