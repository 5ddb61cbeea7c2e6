// Package imagememory holds the tests of the memory vmfa takes for the
// largest images it accepts (docs/import-export.md, Memory: no image under the
// pixel limit takes vmfa past 600 MiB): image files, a clipboard image and
// a 100-megapixel screen, each read by the built program, alone.
//
// They are a package of their own, apart from cmd/vmfa-full's tests, for
// two reasons: they take half a minute, one at a time, and a process's peak
// memory is only its own when the test process next to it holds nothing
// large (testenv.RunMeasured), which the many tests of cmd/vmfa-full, in
// parallel, can't promise.
package imagememory
