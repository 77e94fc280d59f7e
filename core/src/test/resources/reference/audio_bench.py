"""librosa's side of bin/bench-audio: the same features with the same parameters on the same
samples, one core. Usage: audio_bench.py INPUT.f32 PITCH_SECONDS"""
import sys
import time

import numpy as np
import librosa

y = np.fromfile(sys.argv[1], dtype="<f4")
audio = len(y) / 16000.0
librosa.feature.mfcc(y=y[:16000 * 10], sr=16000, n_mfcc=13, n_fft=512, hop_length=160, n_mels=40)


def timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


t_mfcc = timed(lambda: librosa.feature.mfcc(y=y, sr=16000, n_mfcc=13, n_fft=512, hop_length=160,
                                            n_mels=40))


def wav2lip_mel():
    from scipy import signal
    pre = signal.lfilter([1, -0.97], [1], y)
    d = librosa.stft(y=pre, n_fft=800, hop_length=200, win_length=800, pad_mode="reflect")
    basis = librosa.filters.mel(sr=16000, n_fft=800, n_mels=80, fmin=55, fmax=7600)
    s = 20 * np.log10(np.maximum(1e-5, np.dot(basis, np.abs(d)))) - 20
    return np.clip(8 * ((s + 100) / 100) - 4, -4, 4)


t_mel = timed(wav2lip_mel)
# pyin is slow: time it on a prefix and report times-real-time for that prefix.
pitch_s = float(sys.argv[2])
yp = y[:int(pitch_s * 16000)]
t_pitch = timed(lambda: librosa.pyin(yp, fmin=65.40639132514966, fmax=1046.5022612023945,
                                     sr=16000, frame_length=512, hop_length=160))
print(f"librosa mfcc  {audio / t_mfcc:8.1f} x real time ({t_mfcc:.2f} s for {audio:.0f} s)")
print(f"librosa mel   {audio / t_mel:8.1f} x real time ({t_mel:.2f} s)")
print(f"librosa pitch {pitch_s / t_pitch:8.1f} x real time ({t_pitch:.2f} s for {pitch_s:.0f} s)")
