/** The example consumer: a named module that reads bsth's API modules. */
module io.bsth.example {
    requires io.bsth.model;
}
