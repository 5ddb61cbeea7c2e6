package importer

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// WithWAL returns the database an app sees when SQLite keeps a write-ahead
// log beside it (FILE-wal): the apps' databases are in WAL mode, and a copy
// taken from a phone while the app ran has its latest accounts only in the
// log. db is the database file and wal its log.
//
// The log's frames are applied to a copy of db in memory, up to its last
// complete transaction, as SQLite applies them when it opens the pair
// (sqlite.org/fileformat2.html#the_write_ahead_log): the database holds
// secrets, so it is not copied to disk for SQLite to do it. Frames after
// the last commit, or from a damaged or stale log, are left out, as SQLite
// leaves them out after a crash. A file that is not an SQLite database has
// no log, whatever lies beside it, and is returned as it is; applied says
// whether a transaction of the log was.
func WithWAL(db, wal []byte) (merged []byte, applied bool, err error) {
	if len(db) < 100 || !bytes.HasPrefix(db, []byte(sqliteMagic)) || len(wal) < walHeaderSize {
		return db, false, nil
	}
	h := wal[:walHeaderSize]
	magic := binary.BigEndian.Uint32(h)
	if magic&^1 != walMagic {
		return db, false, nil
	}
	// The log's checksums are of words in the byte order of the machine
	// that wrote it, which the magic's low bit records.
	var order binary.ByteOrder = binary.LittleEndian
	if magic&1 == 1 {
		order = binary.BigEndian
	}
	pageSize := int(binary.BigEndian.Uint32(h[8:]))
	if dbPageSize := int(binary.BigEndian.Uint16(db[16:])); pageSize != dbPageSize && !(pageSize == 65536 && dbPageSize == 1) {
		return db, false, nil
	}
	s0, s1 := walChecksum(order, h[:24], 0, 0)
	if s0 != binary.BigEndian.Uint32(h[24:]) || s1 != binary.BigEndian.Uint32(h[28:]) {
		return db, false, nil
	}
	type frame struct {
		page uint32
		data []byte
	}
	var (
		frames    []frame
		committed int    // frames up to the last commit
		pages     uint32 // the database's size in pages after it
	)
	for off := walHeaderSize; off+walFrameHeaderSize+pageSize <= len(wal); off += walFrameHeaderSize + pageSize {
		fh, data := wal[off:off+walFrameHeaderSize], wal[off+walFrameHeaderSize:off+walFrameHeaderSize+pageSize]
		if !bytes.Equal(fh[8:16], h[16:24]) { // a frame of an earlier log
			break
		}
		s0, s1 = walChecksum(order, fh[:8], s0, s1)
		s0, s1 = walChecksum(order, data, s0, s1)
		page := binary.BigEndian.Uint32(fh)
		if page == 0 || s0 != binary.BigEndian.Uint32(fh[16:]) || s1 != binary.BigEndian.Uint32(fh[20:]) {
			break
		}
		frames = append(frames, frame{page, data})
		if size := binary.BigEndian.Uint32(fh[4:]); size != 0 {
			committed, pages = len(frames), size
		}
	}
	if committed == 0 {
		return db, false, nil
	}
	if int64(pages)*int64(pageSize) > MaxFileSize {
		return nil, false, fmt.Errorf("the database with its -wal file is over %d MiB, too large for an app's database", MaxFileSize>>20)
	}
	merged = make([]byte, int(pages)*pageSize)
	copy(merged, db)
	for _, f := range frames[:committed] {
		if f.page <= pages { // a page beyond the end was truncated away
			copy(merged[int(f.page-1)*pageSize:], f.data)
		}
	}
	return merged, true, nil
}

const (
	walMagic           = 0x377f0682
	walHeaderSize      = 32
	walFrameHeaderSize = 24
)

// walChecksum continues the log's running checksum (s0, s1) over b, whose
// length is a multiple of 8.
func walChecksum(order binary.ByteOrder, b []byte, s0, s1 uint32) (uint32, uint32) {
	for i := 0; i+8 <= len(b); i += 8 {
		s0 += order.Uint32(b[i:]) + s1
		s1 += order.Uint32(b[i+4:]) + s0
	}
	return s0, s1
}
