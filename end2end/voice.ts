import fs from 'node:fs';
import path from 'node:path';

/** Writes a speech-like sound for Chromium's fake microphone (`--use-file-for-fake-audio-capture`)
 *  and returns its path: a 150 Hz voice with harmonics, in syllables four times a second, at
 *  about −10 dBFS. Chromium's built-in fake microphone is a short, quiet beep that noise
 *  suppression can bring under the "speaking" level on a busy machine; this one is as loud and
 *  as steady as a person talking, so the level checks depend on the page, not on the load. */
export function writeVoice(dir: string): string {
  const rate = 48_000;
  const seconds = 2;
  const samples = rate * seconds;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const t = i / rate;
    const syllable = Math.sin(Math.PI * 4 * t) ** 2; // 0 → 1 → 0, four times a second
    let voice = 0;
    for (let h = 1; h <= 6; h++) voice += Math.sin(2 * Math.PI * 150 * h * t) / h;
    const sample = 0.3 * syllable * voice / 2.45; // 2.45 ≈ sum of 1/h: peaks near 0.3
    data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, sample)) * 32_767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // bytes per frame
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  const file = path.join(dir, 'voice.wav');
  fs.writeFileSync(file, Buffer.concat([header, data]));
  return file;
}
