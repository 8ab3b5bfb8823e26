//go:build ignore

// genicon draws assets/icon.png: a white fountain-pen nib signing a line on a
// blue rounded square. It uses only the standard library, so the icon can be
// regenerated anywhere with `go run scripts/genicon.go`.
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const (
	size    = 512
	samples = 4 // samples per pixel side, for anti-aliasing
)

type point struct{ x, y float64 }

// shape reports whether a point lies inside it.
type shape func(p point) bool

func roundedSquare(min, max, radius float64) shape {
	return func(p point) bool {
		if p.x < min || p.x > max || p.y < min || p.y > max {
			return false
		}
		cx := math.Max(min+radius, math.Min(p.x, max-radius))
		cy := math.Max(min+radius, math.Min(p.y, max-radius))
		return math.Hypot(p.x-cx, p.y-cy) <= radius
	}
}

// polygon uses the even-odd rule.
func polygon(pts []point) shape {
	return func(p point) bool {
		inside := false
		for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
			a, b := pts[i], pts[j]
			if (a.y > p.y) != (b.y > p.y) && p.x < (b.x-a.x)*(p.y-a.y)/(b.y-a.y)+a.x {
				inside = !inside
			}
		}
		return inside
	}
}

func circle(c point, r float64) shape {
	return func(p point) bool { return math.Hypot(p.x-c.x, p.y-c.y) <= r }
}

// stroke is a polyline of the given width with round joins and caps.
func stroke(pts []point, width float64) shape {
	half := width / 2
	return func(p point) bool {
		for i := 1; i < len(pts); i++ {
			if segmentDistance(p, pts[i-1], pts[i]) <= half {
				return true
			}
		}
		return false
	}
}

func segmentDistance(p, a, b point) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	t := ((p.x-a.x)*dx + (p.y-a.y)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(p.x-(a.x+t*dx), p.y-(a.y+t*dy))
}

// placed maps points drawn with the nib pointing down (+y) to the icon, turned
// 45 degrees so that the nib points down-left and centred on c.
func placed(c point, pts ...point) []point {
	s := math.Sqrt2 / 2
	out := make([]point, len(pts))
	for i, p := range pts {
		out[i] = point{c.x + p.x*s - p.y*s, c.y + p.x*s + p.y*s}
	}
	return out
}

func main() {
	centre := point{290, 222}
	background := roundedSquare(16, 496, 104)
	white := []shape{
		polygon(placed(centre, point{-58, -104}, point{58, -104}, point{58, -14}, point{0, 118}, point{-58, -14})),
		polygon(placed(centre, point{-66, -184}, point{66, -184}, point{66, -124}, point{-66, -124})),
		stroke(signature(), 14),
		stroke([]point{{96, 410}, {416, 410}}, 10),
	}
	cutouts := []shape{
		stroke(placed(centre, point{0, 0}, point{0, 92}), 9),
		circle(placed(centre, point{0, 0})[0], 15),
	}

	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	top, bottom := color.NRGBA{0x2f, 0x80, 0xdb, 0xff}, color.NRGBA{0x17, 0x4a, 0x96, 0xff}
	for y := 0; y < size; y++ {
		t := float64(y) / size
		blue := [3]float64{
			float64(top.R)*(1-t) + float64(bottom.R)*t,
			float64(top.G)*(1-t) + float64(bottom.G)*t,
			float64(top.B)*(1-t) + float64(bottom.B)*t,
		}
		for x := 0; x < size; x++ {
			var cover, whiteness float64
			for sy := 0; sy < samples; sy++ {
				for sx := 0; sx < samples; sx++ {
					p := point{float64(x) + (float64(sx)+0.5)/samples, float64(y) + (float64(sy)+0.5)/samples}
					if !background(p) {
						continue
					}
					cover++
					if anyInside(white, p) && !anyInside(cutouts, p) {
						whiteness++
					}
				}
			}
			if cover == 0 {
				continue
			}
			w := whiteness / cover
			img.SetNRGBA(x, y, color.NRGBA{
				R: uint8(blue[0]*(1-w) + 255*w + 0.5),
				G: uint8(blue[1]*(1-w) + 255*w + 0.5),
				B: uint8(blue[2]*(1-w) + 255*w + 0.5),
				A: uint8(255*cover/(samples*samples) + 0.5),
			})
		}
	}

	out, err := os.Create("assets/icon.png")
	if err != nil {
		log.Fatal(err)
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(out, img); err != nil {
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
}

// signature is a hand-written looking wave that runs into the nib's tip.
func signature() []point {
	var pts []point
	for i := 0; i <= 80; i++ {
		t := float64(i) / 80
		x := 96 + t*111
		y := 372 - t*67 + 24*math.Sin(t*3*math.Pi)*(1-0.5*t)
		pts = append(pts, point{x, y})
	}
	return pts
}

func anyInside(shapes []shape, p point) bool {
	for _, s := range shapes {
		if s(p) {
			return true
		}
	}
	return false
}
