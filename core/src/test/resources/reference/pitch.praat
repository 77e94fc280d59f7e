# F0 track of a WAV file with Praat's autocorrelation method, one "time f0" line per frame
# ("--undefined--" when unvoiced). Arguments: file, time step (s), floor (Hz), ceiling (Hz).
form Pitch
  sentence File
  real Step 0.01
  real Floor 75
  real Ceiling 600
endform
Read from file: file$
To Pitch: step, floor, ceiling
n = Get number of frames
for i to n
  t = Get time from frame number: i
  f = Get value in frame: i, "Hertz"
  appendInfoLine: fixed$(t, 6), " ", fixed$(f, 4)
endfor
