package io.bsth.train;

/**
 * The authors' per-dataset settings. Their MIR-Flickr script trains 140 stage-2 epochs with dropout 0.5,
 * one head and two encoder layers; their code uses the sign-loss weight 0.0001 on NUS-WIDE (0.01
 * elsewhere) and notes "COCO: 128 Flickr: 256" beside the concept width, which is followed here
 * (NUS-WIDE, without a note, keeps 128). A preset only fills in what the command line leaves unset.
 */
public enum Preset {
    FLICKR(140, 0.5f, 1, 2, 0.01f, 256),
    NUSWIDE(140, 0.5f, 1, 2, 0.0001f, 128),
    COCO(140, 0.5f, 1, 2, 0.01f, 128);

    public final int epochs, nhead, layers, conceptDim;
    public final float dropout, signWeight;

    Preset(int epochs, float dropout, int nhead, int layers, float signWeight, int conceptDim) {
        this.epochs = epochs;
        this.dropout = dropout;
        this.nhead = nhead;
        this.layers = layers;
        this.signWeight = signWeight;
        this.conceptDim = conceptDim;
    }

    /** {@code flickr}, {@code nuswide} or {@code coco} (any case), or an exception naming the choices. */
    public static Preset parse(String name) {
        for (Preset p : values()) if (p.name().equalsIgnoreCase(name)) return p;
        throw new IllegalArgumentException("--preset: expected flickr, nuswide or coco, got '" + name + "'");
    }
}
