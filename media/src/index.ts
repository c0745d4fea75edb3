/** @hall/media — broadcast: the MediaHub seam (mediasoup / werift), ffmpeg outputs (HLS, recording, RTMP), chapters. */
export * from './hub.ts';
export * from './wire.ts';
export { WeriftHub } from './werift-hub.ts';
export { programShown } from './program.ts';
export { selectHub, mediasoupWorkerPath, createMediasoupHub, type BackendChoice, type Selected, type SelectOptions } from './select.ts';
export { ProgramOutputs, DEFAULT_LADDER, chooseLadder, endPlaylists, hlsArgs, outputFps, recordingPart, assertSafeId, type HlsOptions, type ProgramOptions, type RtmpDestination, type Rung } from './hls.ts';
export { SupervisedOutput, DEFAULT_TIMING, type SupervisorTiming, type SupervisedSpec } from './supervisor.ts';
export { RtpIngestGate, rtpIngestAddresses, ffmpegRtpOutput } from './rtp-ingest.ts';
export { FfmpegProcess, runningFfmpeg, stopAllFfmpeg, tapInputArgs } from './ffmpeg.ts';
export { chapterList, chaptersVtt, vttTime, type Chapter, type ChapterWindow, type JournalLike } from './chapters.ts';
export { isLoopback, FrameRateMeter } from './rtp-util.ts';
export { attachMediaSignaling, mediaFailure, mediaRoom, type MediaSignaling, type SignalingPolicy, type Verdict } from './signaling.ts';
