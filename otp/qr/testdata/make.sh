#!/bin/sh
# make.sh regenerates the committed test fixtures of package qr.
#
# Tools: qrencode 4.1.1, ImageMagick 6.9.11 (convert), DejaVu fonts.
# Run it from anywhere: it writes next to itself. The output is deterministic
# for a given tool version (fixed noise seed, no PNG time chunks), but the
# tests only depend on the decoded text, never on the exact bytes, so
# regenerating with other versions is fine.
#
# The secrets are fake (base32 "Hello!" repeated); the account number is the
# documentation example 123456789012.
set -eu
cd "$(dirname "$0")"

AWS='otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Amazon%20Web%20Services'
BOB='otpauth://totp/Amazon%20Web%20Services:bob@123456789012?secret=KRUGKIDROVUWG2ZAMJZG653OEBTG66BAURUW24DTEBXXMZLSEB2GQZJANRQXU6JAMRXWO4ZA&issuer=Amazon%20Web%20Services'
URL='https://example.com/mfa/setup?account=123456789012&user=alice'

FONT=DejaVu-Sans
# No tIME/date chunks, so that reruns give identical files.
PNG='-define png:exclude-chunks=date,time,tIME'
# Screenshots are written as 8-bit RGBA (PNG32:), like macOS and Windows
# screenshots; ImageMagick would otherwise pick 16 bits per channel here.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# page W H S QRFILE X Y BG FG OUT: a console-like page at scale S (1 or 2):
# a header bar, a side bar, lines of text and a dialog box with the QR image
# composited at X,Y. BG/FG are the page and text colours (dark mode swaps them).
page() {
	w=$1 h=$2 s=$3 qr=$4 x=$5 y=$6 bg=$7 fg=$8 out=$9
	convert -size "${w}x${h}" "xc:$bg" \
		-fill '#232f3e' -draw "rectangle 0,0 $((w - 1)),$((40 * s))" \
		-fill '#ff9900' -font $FONT -pointsize $((16 * s)) -annotate +$((16 * s))+$((27 * s)) 'aws' \
		-fill '#eaeded' -font $FONT -pointsize $((13 * s)) -annotate +$((80 * s))+$((26 * s)) 'Services   Search   alice @ 1234-5678-9012' \
		-fill '#f2f3f3' -draw "rectangle 0,$((41 * s)) $((220 * s)),$((h - 1))" \
		-fill '#16191f' -font $FONT -pointsize $((14 * s)) \
		-annotate +$((20 * s))+$((80 * s)) 'Identity and Access Management' \
		-annotate +$((20 * s))+$((110 * s)) 'Users' \
		-annotate +$((20 * s))+$((135 * s)) 'Security credentials' \
		-fill "$fg" -font $FONT -pointsize $((20 * s)) \
		-annotate +$((250 * s))+$((90 * s)) 'Set up virtual MFA device' \
		-pointsize $((13 * s)) \
		-annotate +$((250 * s))+$((120 * s)) '1. Install a compatible authenticator app on your phone or computer.' \
		-annotate +$((250 * s))+$((145 * s)) '2. Use your virtual MFA app and your device camera to scan the QR code.' \
		-annotate +$((250 * s))+$((170 * s)) '   Alternatively, you can type the secret key. Show secret key' \
		-annotate +$((250 * s))+$((h - 60 * s)) '3. Type two consecutive MFA codes below.   MFA code 1 [      ]   MFA code 2 [      ]' \
		-fill none -stroke '#aab7b8' -strokewidth "$s" \
		-draw "rectangle $((x - 20 * s)),$((y - 20 * s)) $((x + 250 * s)),$((y + 250 * s))" \
		-stroke none \
		"$qr" -geometry +"$x"+"$y" -composite \
		$PNG "PNG32:$out"
}

# QR images. -s is the module size in pixels, -m the quiet zone in modules.
qrencode -s 4 -m 4 -o "$T/aws4.png" "$AWS"  # 45 modules -> 212 px
qrencode -s 8 -m 4 -o "$T/aws8.png" "$AWS"  # 424 px
qrencode -s 4 -m 4 -o "$T/bob4.png" "$BOB"
qrencode -s 5 -m 4 -o "$T/url5.png" "$URL"
# Dark mode: light modules on a dark background.
qrencode -s 4 -m 4 --foreground=E8E8E8 --background=1B1B1F -o "$T/aws4-dark.png" "$AWS"

# 1x screenshot (MacBook Air), QR ~200 px.
page 1440 900 1 "$T/aws4.png" 300 260 white '#16191f' screenshot-1x.png
# 2x Retina screenshot of the same page, QR ~400 px.
page 2880 1800 2 "$T/aws8.png" 600 520 white '#16191f' screenshot-2x.png
# 5K desktop: a flat wallpaper with the 1x page as a window in the bottom-right
# corner; the QR stays 4 px per module, ~4% of the width.
convert -size 5120x2880 xc:'#3a6ea5' \
	-fill '#2d5986' -draw 'rectangle 0,2820 5119,2879' \
	-fill white -font $FONT -pointsize 28 -annotate +40+2860 'Finder   Terminal   Firefox' \
	screenshot-1x.png -geometry +3600+1900 -composite \
	$PNG PNG32:desktop-5k.png
# The same desktop as a JPEG at quality 75 (as a screenshot tool might save it).
convert desktop-5k.png -quality 75 desktop-5k.jpg
# Dark mode, inverted QR.
page 1440 900 1 "$T/aws4-dark.png" 300 260 '#1b1b1f' '#e8e8e8' dark-mode.png
# Two accounts on one page.
page 1440 900 1 "$T/aws4.png" 300 260 white '#16191f' "$T/two.png"
convert "$T/two.png" -fill white -draw 'rectangle 760,200 1100,560' \
	"$T/bob4.png" -geometry +800+260 -composite $PNG PNG32:two-codes.png
# A page without a QR code: the dialog is empty.
convert -size 212x212 xc:white "$T/blank.png"
page 1440 900 1 "$T/blank.png" 300 260 white '#16191f' no-qr.png
# A QR holding a plain https URL.
page 1440 900 1 "$T/url5.png" 300 260 white '#16191f' url.png
# A phone photo of the 2x page on a monitor: crop around the QR, tilt it in
# perspective, lower the contrast, blur, add sensor noise, save as a JPEG.
convert screenshot-2x.png -crop 1400x1100+300+300 +repage \
	-virtual-pixel black \
	-distort Perspective '0,0 160,40  1399,0 1220,190  0,1099 60,1080  1399,1099 1340,930' \
	+level 12%,85% -blur 0x1.5 -seed 1 -attenuate 0.8 +noise Gaussian \
	-resize 1024x -quality 80 photo-of-monitor.jpg
# Mirror image (e.g. a selfie camera), as 16-bit RGB.
convert screenshot-1x.png -crop 500x400+200+180 +repage -flop -depth 16 $PNG PNG48:mirrored.png
# Rotated by 90 degrees (a phone photo without EXIF orientation applied),
# as 16-bit RGBA.
convert screenshot-1x.png -crop 500x400+200+180 +repage -rotate 90 -depth 16 $PNG PNG64:rotated-90.png
# A PNG cut off after 3000 bytes (an interrupted download).
head -c 3000 screenshot-1x.png >truncated.png
# A text file with an image extension.
printf 'otpauth://totp/not-an-image?secret=JBSWY3DPEHPK3PXP\n' >text.png
