//! TFRecord framing of event files: each record is its length (u64, little-endian), the
//! masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data.

/// TensorFlow's masking of a CRC-32C, so that CRCs of data holding CRCs stay apart.
pub fn masked_crc(data: &[u8]) -> u32 {
    let crc = crc32c::crc32c(data);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// `data` framed as one record.
pub fn frame(data: &[u8]) -> Vec<u8> {
    let length = (data.len() as u64).to_le_bytes();
    let mut record = Vec::with_capacity(data.len() + 16);
    record.extend_from_slice(&length);
    record.extend_from_slice(&masked_crc(&length).to_le_bytes());
    record.extend_from_slice(data);
    record.extend_from_slice(&masked_crc(data).to_le_bytes());
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_matches_the_standard_check_value() {
        // The check value of CRC-32C (Castagnoli) for "123456789".
        assert_eq!(crc32c::crc32c(b"123456789"), 0xe306_9283);
        // Masked as TensorFlow does, ((crc >> 15) | (crc << 17)) + 0xa282ead8, worked
        // out by hand (Python: (((c >> 15) | (c << 17)) & 0xffffffff) + 0xa282ead8).
        assert_eq!(masked_crc(b"123456789"), 0xc78a_b0e5);
    }

    #[test]
    fn a_record_is_length_crc_data_crc() {
        let record = frame(b"abc");
        assert_eq!(record.len(), 8 + 4 + 3 + 4);
        assert_eq!(&record[..8], &3u64.to_le_bytes());
        assert_eq!(
            &record[8..12],
            &masked_crc(&3u64.to_le_bytes()).to_le_bytes()
        );
        assert_eq!(&record[12..15], b"abc");
        assert_eq!(&record[15..], &masked_crc(b"abc").to_le_bytes());
    }
}
