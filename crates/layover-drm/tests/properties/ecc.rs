use layover_drm::ecc::{TestIdentity, encrypt_content_key};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

proptest! {
    // Scalar multiplication is slow in debug builds: a few cases are enough for a round trip.
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn any_content_key_round_trips(seed in any::<u64>(), ck in any::<[u8; 16]>()) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let id = TestIdentity::generate(&mut rng);
        let (enc, ci) = encrypt_content_key(&id.public_key(), &ck, &mut rng).unwrap();
        let keys = id.decrypt(&enc).unwrap();
        prop_assert_eq!(keys.content_key, ck);
        prop_assert_eq!(keys.integrity_key, ci);
    }

    #[test]
    fn arbitrary_ciphertext_never_panics(seed in any::<u64>(), ct in prop::collection::vec(any::<u8>(), 0..160)) {
        let id = TestIdentity::generate(&mut ChaCha20Rng::seed_from_u64(seed));
        let _ = id.decrypt(&ct);
    }
}
