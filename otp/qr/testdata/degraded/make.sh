#!/bin/sh
# make.sh regenerates the degraded set: the screenshots of ../make.sh as they
# reach vmfa in real life, shrunk when pasted into a chat, recompressed,
# thumbnailed, shown small on a big desktop, photographed. It also writes
# WANT, one line per image: its name, a tab, and the texts of its QR codes
# separated by tabs, as the generator made them (TestDegraded reads it).
#
# Tools: ImageMagick 6.9.11 (convert). Run ../make.sh first if the pages
# are missing; run this from anywhere: it writes next to itself. The output
# is deterministic for a given ImageMagick (fixed noise seeds, no PNG time
# chunks); the tests depend only on the texts in WANT.
set -eu
cd "$(dirname "$0")"

AWS='otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Amazon%20Web%20Services'
BOB='otpauth://totp/Amazon%20Web%20Services:bob@123456789012?secret=KRUGKIDROVUWG2ZAMJZG653OEBTG66BAURUW24DTEBXXMZLSEB2GQZJANRQXU6JAMRXWO4ZA&issuer=Amazon%20Web%20Services'
URL='https://example.com/mfa/setup?account=123456789012&user=alice'

PNG='-define png:exclude-chunks=date,time,tIME'
rm -f ./*.png ./*.jpg WANT
want() { printf '%s' "$1" >>WANT; shift; printf '\t%s' "$@" >>WANT; echo >>WANT; }

# Shrunk pages: the 1x page (4-pixel modules) at 45% to 66%, so modules of
# 1.8 to 2.6 pixels, with the three kernels image editors and browsers use,
# and beyond, at 33% to 40% (1.3 to 1.6 pixels).
# Each is cut first at a different offset, so that modules fall on
# different pixel phases. Then the same recompressed as JPEG at quality 55.
i=0
for scale in 33 35 38 40 45 50 55 60 66; do
	for filter in box triangle lanczos; do
		name=small-$scale-$filter
		dx=$((i % 4)) dy=$((i / 4 % 3))
		convert ../screenshot-1x.png -crop "1400x860+$dx+$dy" +repage \
			-filter "$filter" -resize "$scale%" -strip $PNG "PNG24:$name.png"
		want "$name.png" "$AWS"
		convert "$name.png" -quality 55 "$name-q55.jpg"
		want "$name-q55.jpg" "$AWS"
		i=$((i + 1))
	done
done
# Two accounts and a URL page, shrunk: every code must come out, and no
# other text.
convert ../two-codes.png -filter triangle -resize 55% -strip $PNG PNG24:two-codes-55.png
want two-codes-55.png "$AWS" "$BOB"
convert ../url.png -filter lanczos -resize 45% -strip -quality 55 url-45-q55.jpg
want url-45-q55.jpg "$URL"
convert ../dark-mode.png -filter box -resize 60% -strip $PNG PNG24:dark-60.png
want dark-60.png "$AWS"

# A 1080-wide thumbnail of the Retina page (3-pixel modules), as PNG and as
# a chat app's JPEG.
convert ../screenshot-2x.png -filter lanczos -resize 1080x -strip $PNG PNG24:thumb-1080.png
want thumb-1080.png "$AWS"
convert ../screenshot-2x.png -filter triangle -resize 1080x -strip -quality 70 thumb-1080.jpg
want thumb-1080.jpg "$AWS"

# A small page (the 1x page at half size) centred on a dark 1920×1080 desktop.
convert ../screenshot-1x.png -filter triangle -resize 50% "$$-page.png"
convert -size 1920x1080 xc:'#1d2127' \
	-fill '#2b3038' -draw 'rectangle 0,1040 1919,1079' \
	"$$-page.png" -gravity center -composite -strip $PNG PNG24:desktop-small-page.png
want desktop-small-page.png "$AWS"
convert ../screenshot-1x.png -filter lanczos -resize 60% "$$-page.png"
convert -size 1920x1080 xc:'#1d2127' \
	"$$-page.png" -gravity center -composite -strip -quality 55 desktop-small-page-q55.jpg
rm -f "$$-page.png"
want desktop-small-page-q55.jpg "$AWS"

# What vmfa read before: a crop of the Retina page around the dialog
# (8-pixel modules), degraded one way at a time.
crop='-crop 900x800+350+300 +repage'
shot() { # name convert-args...: write PNG name from the crop
	name=$1
	shift
	convert ../screenshot-2x.png $crop "$@" -strip $PNG "PNG24:$name"
	want "$name" "$AWS"
}
shot rotated-17.png -background white -rotate 17 -resize 50%
shot rotated-135.png -background white -rotate 135 -resize 50%
shot perspective.png -virtual-pixel white \
	-distort Perspective '0,0 90,30  899,0 820,110  0,799 20,780  899,799 880,700' -resize 50%
shot blur-1.png -blur 0x1
shot blur-2.png -blur 0x2
shot noise.png -seed 7 -attenuate 1.5 +noise Gaussian -resize 50%
shot tint.png -fill '#3060c0' -colorize 35% -resize 50%
shot low-contrast.png +level 40%,62% -resize 50%
shot inverted.png -negate -resize 50%
# A mouse pointer (black arrow, white outline) over the middle of the code.
shot cursor.png -stroke white -strokewidth 3 -fill black \
	-draw 'polygon 560,540 560,640 584,616 602,658 618,650 600,610 634,610' -resize 50%
convert ../screenshot-2x.png $crop -resize 50% -strip -quality 15 jpeg-q15.jpg
want jpeg-q15.jpg "$AWS"
convert ../screenshot-2x.png $crop -strip -quality 15 jpeg-q15-2x.jpg
want jpeg-q15-2x.jpg "$AWS"
