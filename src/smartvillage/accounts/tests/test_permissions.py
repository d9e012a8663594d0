from smartvillage.accounts.permissions import Action, can, visible_units


def test_village_head_is_scoped_to_her_village(world):
    assert can(world.alice, Action.EDIT_REGISTRY, world.village1)
    assert not can(world.alice, Action.VIEW, world.village2)
    assert not can(world.alice, Action.VIEW, world.commune)
    assert set(visible_units(world.alice)) == {world.village1}


def test_commune_officer_covers_her_commune_only(world):
    assert can(world.carol, Action.EDIT_REGISTRY, world.village1)
    assert can(world.carol, Action.EDIT_REGISTRY, world.village2)
    assert not can(world.carol, Action.VIEW, world.village3)
    assert can(world.carol, Action.VIEW_AUDIT, world.village2)
    assert not can(world.alice, Action.VIEW_AUDIT, world.village1)


def test_appraiser_reads_everything_below_but_does_not_edit(world):
    assert can(world.erin, Action.VIEW, world.village3)
    assert not can(world.erin, Action.EDIT_REGISTRY, world.village3)
    assert can(world.erin, Action.APPRAISE, world.commune)


def test_submit_and_confirm_belong_to_the_right_level(world):
    assert can(world.alice, Action.SUBMIT, world.village1)
    assert not can(world.dave, Action.SUBMIT, world.village1)
    assert can(world.dave, Action.SUBMIT, world.commune)
    assert can(world.dave, Action.CONFIRM, world.village1)
    assert not can(world.alice, Action.CONFIRM, world.village1)
    assert not can(world.dave, Action.CONFIRM, world.commune)


def test_system_admin_may_do_anything(world):
    assert can(world.root, Action.ADMIN, world.village3)
