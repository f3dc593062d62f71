use super::*;

#[test]
fn the_disc_is_opaque_inside_clear_outside_and_ringed() {
    let size = 32;
    let px = disc_argb(size, [0xc6, 0x28, 0x28]);
    assert_eq!(px.len(), size * size * 4);
    let at = |x: usize, y: usize| &px[(y * size + x) * 4..(y * size + x) * 4 + 4];
    assert_eq!(
        at(16, 16),
        &[0xff, 0xc6, 0x28, 0x28],
        "the centre is the colour"
    );
    assert_eq!(at(0, 0)[0], 0, "a corner is clear");
    assert_eq!(at(16, 6), &[0xff, 0xff, 0xff, 0xff], "the ring is white");
}

#[test]
fn the_worst_severity_wins_whatever_the_order() {
    let mut w = Worst::Quiet;
    for s in ["info", "CRITICAL", "warning"] {
        w = w.max(Worst::of(s));
    }
    assert_eq!(w, Worst::Critical);
    assert!(Worst::Warning > Worst::Other && Worst::Other > Worst::Quiet);
    assert_eq!(rgb(Worst::Quiet), [0x2e, 0x7d, 0x32]);
}
