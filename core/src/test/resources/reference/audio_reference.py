"""Reference audio features for talkset's fidelity tests, computed by the libraries users compare
with. Usage: audio_reference.py SPEC.json INPUT.f32 OUTDIR

INPUT.f32 holds little-endian float32 mono samples at the spec's rate. For each spec item i this
writes OUTDIR/out_<i>.f32 (float64 little-endian, frames x dims, row-major) and out_<i>.shape.
"""
import json
import sys

import numpy as np


def librosa_mfcc(y, s):
    import librosa
    m = librosa.feature.mfcc(y=y, sr=s["sr"], n_mfcc=s["n_mfcc"], n_fft=s["n_fft"],
                             hop_length=s["hop"], n_mels=s["n_mels"])
    return m.T


def wav2lip_mel(y, s):
    # Wav2Lip's audio.melspectrogram with its hparams; pad_mode='reflect' was librosa's default
    # when Wav2Lip was written, so it is passed explicitly to librosa 0.11.
    import librosa
    from scipy import signal
    pre = signal.lfilter([1, -0.97], [1], y)
    d = librosa.stft(y=pre, n_fft=800, hop_length=200, win_length=800, pad_mode="reflect")
    basis = librosa.filters.mel(sr=16000, n_fft=800, n_mels=80, fmin=55, fmax=7600)
    mel = np.dot(basis, np.abs(d))
    min_level = np.exp(-100 / 20 * np.log(10))
    s_db = 20 * np.log10(np.maximum(min_level, mel)) - 20
    return np.clip((2 * 4) * ((s_db + 100) / 100) - 4, -4, 4).T


def psf_mfcc(y, s):
    # python_speech_features is not in this machine's package index: this follows its mfcc()
    # defaults step by step (sigproc.framesig, powspec, get_filterbanks, dct, lifter, energy).
    from scipy.fftpack import dct
    sr, nfft, numcep, nfilt = s["sr"], 512, 13, 26
    frame_len, frame_step = int(round(0.025 * sr)), int(round(0.01 * sr))
    sig = np.append(y[0], y[1:] - 0.97 * y[:-1]).astype(np.float64)
    slen = len(sig)
    numframes = 1 if slen <= frame_len else 1 + int(np.ceil((slen - frame_len) / frame_step))
    padded = np.concatenate((sig, np.zeros((numframes - 1) * frame_step + frame_len - slen)))
    idx = np.arange(frame_len)[None, :] + frame_step * np.arange(numframes)[:, None]
    frames = padded[idx]
    pspec = 1.0 / nfft * np.square(np.absolute(np.fft.rfft(frames, nfft)))
    energy = np.sum(pspec, 1)
    energy = np.where(energy == 0, np.finfo(float).eps, energy)

    def hz2mel(hz):
        return 2595 * np.log10(1 + hz / 700.0)

    def mel2hz(mel):
        return 700 * (10 ** (mel / 2595.0) - 1)

    melpoints = np.linspace(hz2mel(0), hz2mel(sr / 2), nfilt + 2)
    bins = np.floor((nfft + 1) * mel2hz(melpoints) / sr)
    fb = np.zeros([nfilt, nfft // 2 + 1])
    for j in range(nfilt):
        for i in range(int(bins[j]), int(bins[j + 1])):
            fb[j, i] = (i - bins[j]) / (bins[j + 1] - bins[j])
        for i in range(int(bins[j + 1]), int(bins[j + 2])):
            fb[j, i] = (bins[j + 2] - i) / (bins[j + 2] - bins[j + 1])
    feat = np.dot(pspec, fb.T)
    feat = np.where(feat == 0, np.finfo(float).eps, feat)
    c = dct(np.log(feat), type=2, axis=1, norm="ortho")[:, :numcep]
    lift = 1 + (22 / 2.0) * np.sin(np.pi * np.arange(numcep) / 22)
    c = c * lift
    c[:, 0] = np.log(energy)
    return c


def kaldi_mfcc(y, s):
    import torch
    import torchaudio
    # float64 when asked: the same algorithm without float32 rounding, which swamps the weak
    # upper bands of upsampled 8 kHz speech (their energy is below float32's resolution of the
    # strong low bands in the same FFT).
    dtype = torch.float64 if s.get("dtype") == "float64" else torch.float32
    w = torch.tensor(y, dtype=dtype).unsqueeze(0)
    m = torchaudio.compliance.kaldi.mfcc(w, sample_frequency=s["sr"], dither=0.0)
    return np.array(m.tolist(), dtype=np.float64)


def librosa_pyin(y, s):
    import librosa
    x = y.astype(np.float64) if s.get("dtype") == "float64" else y
    f0, voiced, prob = librosa.pyin(x, fmin=s["fmin"], fmax=s["fmax"], sr=s["sr"],
                                    frame_length=s["frame_length"], hop_length=s["hop"])
    return np.stack([np.nan_to_num(f0, nan=0.0), voiced.astype(np.float64), prob], axis=1)


KINDS = {"librosa_pyin": librosa_pyin, "librosa_mfcc": librosa_mfcc, "wav2lip_mel": wav2lip_mel, "psf_mfcc": psf_mfcc,
         "kaldi_mfcc": kaldi_mfcc}


def main():
    specs = json.load(open(sys.argv[1]))
    y = np.fromfile(sys.argv[2], dtype="<f4")
    out = sys.argv[3]
    for i, s in enumerate(specs):
        r = np.ascontiguousarray(KINDS[s["kind"]](y, s), dtype="<f8")
        r.tofile(f"{out}/out_{i}.f32")
        with open(f"{out}/out_{i}.shape", "w") as f:
            f.write(" ".join(str(d) for d in r.shape))


if __name__ == "__main__":
    main()
