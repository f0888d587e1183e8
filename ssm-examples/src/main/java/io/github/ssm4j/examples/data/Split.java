package io.github.ssm4j.examples.data;

/**
 * Which part of a dataset to load.
 *
 * <ul>
 *   <li>MNIST and Fashion-MNIST: their official 60 000 / 10 000 training and test sets; ALL is both,
 *       training first.</li>
 *   <li>digits and breast-cancer have no official split: TEST is every fifth row (row index ≡ 4 mod 5),
 *       TRAIN the other rows, ALL every row, in the file's order.</li>
 *   <li>Toys: TRAIN and ALL draw with the given seed, TEST with a different stream derived from it.</li>
 * </ul>
 *
 * <p>Stability: public API.
 */
public enum Split {
    TRAIN, TEST, ALL
}
